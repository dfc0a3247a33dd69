// exec: explicit env, cwd, stdin ignored, merged line streaming, process groups,
// timeouts and aborts that kill the whole group, and "not found" messages.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exec, liveGroups } from '../src/exec';
import { isAlive, until } from './helpers/fake-project';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-exec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const PATH = process.env.PATH!;

function collect() {
  const lines: string[] = [];
  return { lines, onLines: (ls: readonly string[]) => lines.push(...ls) };
}

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

  it('decodes captured stdout with one decoder for the stream: a character split across two reads stays whole', async () => {
    // The euro sign's three bytes, written in two parts with a pause between: two reads.
    const script = "printf 'price: \\342\\202'; sleep 0.2; printf '\\254 10\\n'";
    const { lines, onLines } = collect();
    const r = await exec({ argv: ['sh', '-c', script], env: { PATH }, cwd: tmp }, { capture: true, onLines });
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe('price: \u20ac 10\n');
    expect(lines).toEqual(['price: \u20ac 10']);
  });

  it('kills the groups still running when the process that started them exits, however it exits', async () => {
    // A process of its own starts a long child through exec, then ends unexpectedly.
    const pidFile = join(tmp, 'orphan.pid');
    const driver = join(tmp, 'driver.cjs');
    const bundle = join(tmp, 'exec.cjs');
    buildExecBundle(bundle);
    writeFileSync(
      driver,
      `const { exec } = require(${JSON.stringify(bundle)});
       exec({ argv: ['sh', '-c', 'echo $$ > ${pidFile}; exec sleep 30'], env: { PATH: process.env.PATH }, cwd: ${JSON.stringify(tmp)} });
       const started = () => { try { return require('fs').readFileSync(${JSON.stringify(pidFile)}, 'utf8').trim() !== ''; } catch { return false; } };
       const wait = setInterval(() => { if (started()) { clearInterval(wait); eval(process.argv[2]); } }, 20);`,
    );
    for (const [how, code] of [['process.exit(3)', 3], ["throw new Error('boom')", 1], ["process.kill(process.pid, 'SIGHUP')", null]] as const) {
      rmSync(pidFile, { force: true });
      const r = spawnSync(process.execPath, [driver, how], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(code);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await until(() => !isAlive(pid), 5000).catch(() => undefined);
      expect(isAlive(pid), `the child left by ${how} is still running`).toBe(false);
    }
  });
});

it('leaves nothing behind that keeps the process alive once a command is done', async () => {
  const bundle = join(tmp, 'exec-idle.cjs');
  buildExecBundle(bundle);
  const driver = join(tmp, 'idle.cjs');
  writeFileSync(
    driver,
    `const { exec } = require(${JSON.stringify(bundle)});
     (async () => {
       for (const script of ['true', 'echo out; echo err >&2', 'exec >&- 2>&-; sleep 0.1']) await exec({ argv: ['sh', '-c', script], env: { PATH: process.env.PATH }, cwd: ${JSON.stringify(tmp)} });
       setImmediate(() => console.log(JSON.stringify(process.getActiveResourcesInfo())));
     })();`,
  );
  const r = spawnSync(process.execPath, [driver], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status).toBe(0);
  const left = JSON.parse(r.stdout) as string[];
  expect(left.filter((what) => what === 'Timeout'), `still pending: ${left.join(', ')}`).toEqual([]);
});

/** src/exec.ts alone as a CommonJS bundle, for a process of its own to require. */
function buildExecBundle(out: string): void {
  const esbuild = join(__dirname, '..', 'node_modules', '.bin', 'esbuild');
  const r = spawnSync(esbuild, [join(__dirname, '..', 'src', 'exec.ts'), '--bundle', '--platform=node', '--format=cjs', `--outfile=${out}`, '--log-level=error'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}
