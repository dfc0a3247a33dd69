// One run per log dir; a dead run's lock is taken over; an unwritable log dir is bad input.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { acquireLock, holder, startTime } from '../../src/io/lock';
import { makeProject, runCli, until } from '../helpers/fake-project';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('refuses a log dir held by a live run, takes over a dead one, and releases', async () => {
  const dir = join(tmp, 'logs');
  mkdirSync(dir);
  const other = spawn('sleep', ['30']);
  writeFileSync(join(dir, '.esb-e2e.lock'), `${other.pid}\n`);
  expect(() => acquireLock(dir, 'logs')).toThrow(ConfigError);
  expect(() => acquireLock(dir, 'logs')).toThrow(`another esb-e2e run (pid ${other.pid}) is using the log dir logs`);
  other.kill('SIGKILL');
  await new Promise((r) => other.once('exit', r));
  const lock = acquireLock(dir, 'logs');
  // The pid and when that process started: a later process given the same pid is told apart.
  expect(readFileSync(join(dir, '.esb-e2e.lock'), 'utf8').trim()).toBe(`${process.pid} ${startTime('self')}`);
  lock.release();
  expect(existsSync(join(dir, '.esb-e2e.lock'))).toBe(false);
});

it('takes over a lock whose pid now belongs to an unrelated live process (the pid was reused)', async () => {
  const dir = join(tmp, 'reused');
  mkdirSync(dir);
  const unrelated = spawn('sleep', ['30']);
  try {
    const started = startTime(unrelated.pid!)!;
    expect(started).toMatch(/^\d+$/);
    // The run that wrote this lock had the same pid but started at another time.
    writeFileSync(join(dir, '.esb-e2e.lock'), `${unrelated.pid} ${Number(started) - 1000}\n`);
    const lock = acquireLock(dir, 'reused');
    lock.release();
    // The same pid and start time: that run is still there.
    writeFileSync(join(dir, '.esb-e2e.lock'), `${unrelated.pid} ${started}\n`);
    expect(() => acquireLock(dir, 'reused')).toThrow(`another esb-e2e run (pid ${unrelated.pid}) is using the log dir reused`);
    expect(holder(`${unrelated.pid} ${started}`)).toBe(unrelated.pid);
    expect(holder(`${unrelated.pid} 1`)).toBeNull();
  } finally {
    unrelated.kill('SIGKILL');
  }
});

it('reports a log dir that cannot be made', () => {
  writeFileSync(join(tmp, 'a-file'), '');
  expect(() => acquireLock(join(tmp, 'a-file', 'logs'), 'a-file/logs')).toThrow('--log-dir a-file/logs: cannot create it (ENOTDIR)');
});

it('a second concurrent run on the same log dir exits 2 and starts nothing', async () => {
  const project = makeProject({ envs: ['alpha'] });
  const env = project.env({ FAKE_RULES: 'python3|alpha|pytest|pidfile;sleep=30' });
  let firstChild: import('node:child_process').ChildProcess | undefined;
  const first = runCli(['run', '--no-verbose'], { cwd: project.root, env, onStart: (c) => (firstChild = c) });
  await until(() => existsSync(join(project.fakeLog, 'pid-python3-alpha')), 15_000);
  const callsBefore = project.calls().length;
  const second = await runCli(['run'], { cwd: project.root, env });
  expect(second.code).toBe(2);
  expect(second.stderr).toMatch(/another esb-e2e run \(pid \d+\) is using the log dir e2e/);
  expect(second.stdout).toBe('');
  expect(project.calls().length).toBe(callsBefore);
  firstChild!.kill('SIGTERM');
  expect((await first).code).toBe(143);
  project.cleanup();
});
