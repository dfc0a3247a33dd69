// LogFile: truncated at open, ordered writes, backpressure, close on every path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { clock } from '../../src/format';
import { LogFile, closeAllSync } from '../../src/io/log-file';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-log-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('truncates the file at open, creates the folder, and keeps writes in order', async () => {
  const path = join(tmp, 'sub', 'dir', '.parallel-a.log');
  const first = await LogFile.open(path);
  first.line('old');
  await first.close();
  const log = await LogFile.open(path);
  for (let i = 0; i < 10_000; i++) log.line(`line ${i}`);
  await log.close();
  const lines = readFileSync(path, 'utf8').split('\n');
  expect(lines[0]).toBe('line 0');
  expect(lines[9999]).toBe('line 9999');
  expect(lines.length).toBe(10_001);
});

it('writes UTF-8 whatever was said ASCII beside it: one non-ASCII write makes its whole batch UTF-8', async () => {
  const path = join(tmp, 'ascii.log');
  const log = await LogFile.open(path);
  log.write('ascii only\n', true);
  log.write('caf\u00e9 \u2603\n');
  log.write('ascii again\n', true);
  await log.drained();
  log.write('a batch of its own\n', true);
  await log.close();
  expect(readFileSync(path)).toEqual(Buffer.from('ascii only\ncaf\u00e9 \u2603\nascii again\na batch of its own\n', 'utf8'));
});

it('reports pressure when more than its high-water mark is queued, and releases it once written', async () => {
  const log = await LogFile.open(join(tmp, 'p.log'));
  expect(log.pressure()).toBeUndefined();
  log.write('x'.repeat(2 * 1024 * 1024));
  const wait = log.pressure();
  expect(wait).toBeInstanceOf(Promise);
  await wait;
  expect(log.pressure()).toBeUndefined();
  await log.close();
  expect(readFileSync(join(tmp, 'p.log')).length).toBe(2 * 1024 * 1024);
});

it('closeAllSync writes what is still queued (the hard-exit path)', async () => {
  const path = join(tmp, 'sync.log');
  const log = await LogFile.open(path);
  log.line('queued 1');
  log.line('queued 2');
  closeAllSync();
  // The async writer may also finish; either way both lines are there, once each.
  await new Promise((r) => setTimeout(r, 50));
  const text = readFileSync(path, 'utf8');
  expect(text.match(/queued 1/g)?.length).toBeGreaterThanOrEqual(1);
  expect(text).toContain('queued 2');
  log.line('after close is dropped');
  expect(readFileSync(path, 'utf8')).not.toContain('after close');
});

it('remembers a write error instead of throwing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-nospace-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', dir]);
  try {
    writeFileSync(join(dir, 'filler'), 'x'.repeat(4096));
    const log = await LogFile.open(join(dir, 'err.log'));
    log.line('cannot be written');
    await log.close();
    expect(log.error?.code).toBe('ENOSPC');
  } finally {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

it('opens only a regular file: a symlink at the path is not followed, a FIFO or a device is not written to', async () => {
  const target = join(tmp, 'precious.txt');
  writeFileSync(target, 'keep me');
  const link = join(tmp, 'linked.log');
  symlinkSync(target, link);
  await expect(LogFile.open(link)).rejects.toMatchObject({ code: 'ELOOP' });
  expect(readFileSync(target, 'utf8')).toBe('keep me');
  const fifo = join(tmp, 'fifo.log');
  execFileSync('mkfifo', [fifo]);
  // No reader: opening it to write would wait for one forever; it is refused at once.
  await expect(LogFile.open(fifo)).rejects.toMatchObject({ code: 'ENXIO' });
  await expect(LogFile.open('/dev/null')).rejects.toMatchObject({ code: 'ENOTREG' });
});

it('formats marker times as UTC hh:mm:ss.mmm', () => {
  expect(clock(new Date('2026-11-25T12:03:04.567Z'))).toBe('12:03:04.567');
});

it('writes what a short write left, so a full disk ends in ENOSPC and not in a silently short log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-full-'));
  // 64 KiB of room: one 100 KiB write can only be taken in part.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  try {
    const log = await LogFile.open(join(dir, 'x.log'));
    log.write('x'.repeat(100 * 1024));
    await log.drained();
    expect(log.error?.code).toBe('ENOSPC');
    await log.close();
  } finally {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
