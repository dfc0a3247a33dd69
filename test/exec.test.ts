// exec: explicit env, cwd, stdin ignored, merged line streaming, process groups,
// timeouts and aborts that kill the whole group, and "not found" messages.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE, exec, liveGroups } from '../src/exec';
import { isAlive, until } from './helpers/fake-project';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-exec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const PATH = process.env.PATH!;

function collect() {
  const lines: string[] = [];
  return { lines, onLines: (ls: readonly string[]) => lines.push(...ls) };
}

describe('LineSplitter', () => {
  it('splits LF and CRLF, keeps a partial line until the end, then flushes it', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    s.push(Buffer.from('one\r\ntw'));
    s.push(Buffer.from('o\nthree'));
    expect(out).toEqual(['one', 'two']);
    s.end();
    expect(out).toEqual(['one', 'two', 'three']);
  });

  it('decodes UTF-8 across chunk boundaries and turns invalid bytes into U+FFFD', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    const euro = Buffer.from('€\n');
    s.push(euro.subarray(0, 1));
    s.push(euro.subarray(1));
    s.push(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]));
    s.end();
    expect(out).toEqual(['€', 'a\ufffd\ufffdb']);
  });

  it("hands over each chunk's complete lines together, empty ones and inner CRs kept", () => {
    const calls: string[][] = [];
    const s = new LineSplitter((ls) => calls.push([...ls]));
    s.push(Buffer.from('a\n\nb\rc\r\nd'));
    s.push(Buffer.from('e\n'));
    s.push(Buffer.from('no newline yet'));
    expect(calls).toEqual([['a', '', 'b\rc'], ['de']]);
    s.end();
    expect(calls.at(-1)).toEqual(['no newline yet']);
  });

  it('cuts a long line inside a chunk of short ones, in order', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    s.push(Buffer.from(`short\n${'y'.repeat(MAX_LINE + 3)}\nlast\n`));
    expect(out.map((l) => (l.length > 10 ? l.length : l))).toEqual(['short', MAX_LINE, 'yyy', 'last']);
  });

  it('hands over with the lines their text joined by LF, whatever was changed on the way (CR LF, cut lines)', () => {
    const calls: [string[], string][] = [];
    const s = new LineSplitter((ls, text) => calls.push([[...ls], text]));
    s.push(Buffer.from('plain\nlines\n'));
    s.push(Buffer.from('with\r\ncr lf\r\n'));
    s.push(Buffer.from(`short\n${'z'.repeat(MAX_LINE + 2)}\n`));
    s.push(Buffer.from('w'.repeat(MAX_LINE + 5)));
    s.push(Buffer.from('end'));
    s.end();
    expect(calls.length).toBe(5);
    for (const [lines, text] of calls) expect(text).toBe(lines.join('\n'));
    expect(calls.slice(0, 2).map(([, text]) => text)).toEqual(['plain\nlines', 'with\ncr lf']);
  });

  it('tells whether a block is all ASCII, from the bytes, across chunks and the partial line', () => {
    const calls: [string, boolean][] = [];
    const s = new LineSplitter((_, text, ascii) => calls.push([text, ascii]));
    s.push(Buffer.from('plain\nascii\n'));
    s.push(Buffer.from('caf\u00e9 \u2603\n'));
    // A non-ASCII partial line taints the block it ends in, not the next one.
    s.push(Buffer.from('start \u00e9'));
    s.push(Buffer.from(' end\nnext\n'));
    s.push(Buffer.from('again\n'));
    // Invalid bytes become U+FFFD: not ASCII.
    s.push(Buffer.from([0x61, 0xff, 0x0a]));
    // A string is not looked at.
    s.push('given as a string\n');
    s.push(Buffer.from('tail'));
    s.end();
    expect(calls).toEqual([
      ['plain\nascii', true],
      ['caf\u00e9 \u2603', false],
      ['start \u00e9 end\nnext', false],
      ['again', true],
      ['a\ufffd', false],
      ['given as a string', false],
      ['tail', true],
    ]);
  });

  it('cuts a line longer than MAX_LINE into pieces, so memory stays flat', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    s.push(Buffer.from('x'.repeat(MAX_LINE * 2 + 10)));
    expect(out.length).toBe(2);
    s.end();
    expect(out.map((l) => l.length)).toEqual([MAX_LINE, MAX_LINE, 10]);
  });
});

describe('exec', () => {
  it('gives the child exactly the env it is handed, the cwd, and no stdin', async () => {
    const { lines, onLines } = collect();
    const r = await exec({ argv: ['sh', '-c', 'env | sort; pwd; cat; echo after-cat'], env: { PATH, ONLY: 'this' }, cwd: tmp }, { onLines });
    expect(r.ok).toBe(true);
    const keys = lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]);
    expect(keys.filter((k) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(k!))).toEqual(['ONLY', 'PATH']);
    expect(lines).toContain(realpathSync(tmp));
    expect(lines[lines.length - 1]).toBe('after-cat');
  });

  it('merges stdout and stderr line by line and flushes a last partial line', async () => {
    const { lines, onLines } = collect();
    const r = await exec({ argv: ['sh', '-c', 'echo out1; echo err1 >&2; printf partial'], env: { PATH }, cwd: tmp }, { onLines });
    expect(r.ok).toBe(true);
    expect(lines.sort()).toEqual(['err1', 'out1', 'partial']);
  });

  it('runs the child in its own process group', async () => {
    const { lines, onLines } = collect();
    await exec({ argv: ['sh', '-c', 'echo $$ $(ps -o pgid= -p $$)'], env: { PATH }, cwd: tmp }, { onLines });
    const [pid, pgid] = lines[0]!.trim().split(/\s+/);
    expect(pgid).toBe(pid);
  });

  it('kills the whole group on timeout, grandchildren included', async () => {
    const pidFile = join(tmp, 'grandchild');
    const started = Date.now();
    const r = await exec({ argv: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], env: { PATH }, cwd: tmp }, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.ok).toBe(false);
    expect(r.timedOut).toBe(true);
    expect(r.reason).toBe('timed out after 0.3s');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await until(() => !isAlive(grandchild), 2000);
  });

  it('kills on abort, and sends KILL after the grace period to a child that ignores TERM', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const pending = exec({ argv: ['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 0.1; done"], env: { PATH }, cwd: tmp }, {
      signal: ac.signal,
      graceMs: 200,
      onLines: (ls) => ls.includes('ready') && ac.abort(),
    });
    const r = await pending;
    expect(r.cancelled).toBe(true);
    expect(r.reason).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(liveGroups()).toBe(0);
  });

  it('returns at once, spawning nothing, when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await exec({ argv: ['sh', '-c', `touch ${join(tmp, 'should-not-exist')}`], env: { PATH }, cwd: tmp }, { signal: ac.signal });
    expect(r.cancelled).toBe(true);
    expect(() => readFileSync(join(tmp, 'should-not-exist'))).toThrow();
  });

  it('names a missing program and the setting that changes it', async () => {
    const r = await exec({ argv: ['no-such-program-here', 'x'], env: { PATH }, cwd: tmp, setting: 'ESB_CLI' });
    expect(r.notFound).toBe(true);
    expect(r.reason).toBe('no-such-program-here: command not found (set ESB_CLI, or put it on PATH)');
  });

  it('names a program path that does not exist or cannot be executed', async () => {
    writeFileSync(join(tmp, 'not-a-program'), 'data\n', { mode: 0o644 });
    const r = await exec({ argv: ['./not-a-program'], env: { PATH }, cwd: tmp, setting: 'matrix `esb`' });
    expect(r).toMatchObject({ notFound: true, reason: './not-a-program: command not executable (set matrix `esb`, or put it on PATH)' });
    const gone = await exec({ argv: [join(tmp, 'gone', 'esb')], env: { PATH }, cwd: tmp });
    expect(gone).toMatchObject({ notFound: true, reason: `${join(tmp, 'gone', 'esb')}: command not found (put it on PATH)` });
  });

  it('reports the exit code or the signal', async () => {
    expect((await exec({ argv: ['sh', '-c', 'exit 7'], env: { PATH }, cwd: tmp })).reason).toBe('sh exited with code 7');
    expect((await exec({ argv: ['sh', '-c', 'kill -9 $$'], env: { PATH }, cwd: tmp })).reason).toBe('sh was killed by SIGKILL');
  });

  it('waits for the exit of a child that closes its output but keeps running', async () => {
    const started = Date.now();
    const r = await exec({ argv: ['sh', '-c', 'exec >/dev/null 2>&1; sleep 0.5; exit 3'], env: { PATH }, cwd: tmp });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(r.exitCode).toBe(3);
  });

  it('captures stdout when asked, and pauses reading while consumers are backed up', async () => {
    let gate: (() => void) | undefined;
    let pauses = 0;
    const { lines, onLines } = collect();
    const r = await exec({ argv: ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'], env: { PATH }, cwd: tmp }, {
      capture: true,
      onLines,
      pressure: () => {
        if (pauses >= 3) return undefined;
        pauses++;
        return new Promise<void>((resolve) => {
          gate = resolve;
          setTimeout(() => gate?.(), 20);
        });
      },
    });
    expect(r.ok).toBe(true);
    expect(pauses).toBe(3);
    expect(lines.length).toBe(2000);
    expect(r.stdout.split('\n').filter(Boolean).length).toBe(2000);
  });
});
