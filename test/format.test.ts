// The one format module: durations, limits, sizes, clock times, paths, command lines, tables.
import { expect, it } from 'vitest';
import { clock, display, duration, elapsed, quoteArgv, seconds, size } from '../src/format';

it('shows a measured duration with one decimal under a minute, then minutes and seconds, then hours', () => {
  expect(duration(0)).toBe('0.0s');
  expect(duration(1234)).toBe('1.2s');
  expect(duration(59_949)).toBe('59.9s');
  expect(duration(125_000)).toBe('2m05s');
  expect(duration(3_600_000 + 7 * 60_000)).toBe('1h07m');
});

it('formats heartbeat times as 45s and 2m30s', () => {
  expect(elapsed(45_900)).toBe('45s');
  expect(elapsed(150_000)).toBe('2m30s');
});

it('shows a limit without a decimal when whole', () => {
  expect(seconds(30_000)).toBe('30s');
  expect(seconds(1500)).toBe('1.5s');
});

it('shows sizes in bytes, KiB and MiB', () => {
  expect(size(512)).toBe('512 B');
  expect(size(64 * 1024)).toBe('64 KiB');
  expect(size(1.5 * 1024 * 1024)).toBe('1.5 MiB');
});

it('shows clock times in UTC with milliseconds, paths relative to the root when inside it', () => {
  expect(clock(new Date('2026-11-25T12:03:04.567Z'))).toBe('12:03:04.567');
  expect(display('/p', '/p/e2e/x.log')).toBe('e2e/x.log');
  expect(display('/p', '/elsewhere/x.log')).toBe('/elsewhere/x.log');
  expect(display('/p', '/p')).toBe('/p');
});

it('quotes command lines as a shell reads them', () => {
  expect(quoteArgv(['docker', 'ps', '--format', '{{.Label "x"}}\t{{.Ports}}', ''])).toBe(`docker ps --format '{{.Label "x"}}\t{{.Ports}}' ''`);
  expect(quoteArgv(["it's"])).toBe(`'it'\\''s'`);
});
