// Which console a run gets: the live view only on a terminal that can take it, outside CI,
// quiet, and not turned off; the terminal's size from the stream, else COLUMNS/LINES.
import { describe, expect, it } from 'vitest';
import { liveView } from '../../src/run/reporting';

const tty = { isTTY: true } as NodeJS.WritableStream & { isTTY: boolean };
const pipe = {} as NodeJS.WritableStream;
const quiet = { reporter: 'plain' as const, verbose: false };

describe('liveView', () => {
  it.each([
    ['a quiet run on a terminal', quiet, {}, tty, true],
    ['CI=0 and CI=false are not CI', quiet, { CI: 'false' }, tty, true],
    ['CI=0', quiet, { CI: '0' }, tty, true],
    ['CI=true', quiet, { CI: 'true' }, tty, false],
    ['CI=1', quiet, { CI: '1' }, tty, false],
    ['GitHub Actions', quiet, { GITHUB_ACTIONS: 'true' }, tty, false],
    ['TERM=dumb cannot move its cursor', quiet, { TERM: 'dumb' }, tty, false],
    ['a pipe', quiet, {}, pipe, false],
    ['verbose', { ...quiet, verbose: true }, {}, tty, false],
    ['--no-live', { ...quiet, live: false }, {}, tty, false],
    ['--reporter jsonl', { ...quiet, reporter: 'jsonl' as const }, {}, tty, false],
  ])('%s', (_what, options, env, stdout, expected) => {
    expect(liveView(options, { env, stdout })).toBe(expected);
  });
});
