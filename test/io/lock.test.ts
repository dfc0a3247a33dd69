// One run per log dir; a dead run's lock is taken over; an unwritable log dir is bad input.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { acquireLock } from '../../src/io/lock';
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
  expect(readFileSync(join(dir, '.esb-e2e.lock'), 'utf8').trim()).toBe(String(process.pid));
  lock.release();
  expect(existsSync(join(dir, '.esb-e2e.lock'))).toBe(false);
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
