// `run`: exit codes, signals (first cancels, second exits at once), and that a whole run
// in this process leaves process.env untouched.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect, it, vi } from 'vitest';
import { createPlan } from '../../src/plan/planner';
import { diskReader } from '../../src/io/reader';
import { exitCodeOf, runCommand } from '../../src/run/command';
import { realDeps } from '../../src/run/deps';
import type { ReportOptions, RunIo, RunOptions } from '../../src/run/options';
import type { SignalSource } from '../../src/run/signals';
import { makeProject } from '../helpers/fake-project';
import { envResult, sink, suite } from '../helpers/results';

const settings: RunOptions & ReportOptions = { verbose: true, failFast: false, build: false, noCache: false, cleanup: false, keepFailed: false, reporter: 'plain', color: 'never', report: undefined, junit: undefined };

it('maps results to exit codes', () => {
  expect(exitCodeOf(suite([envResult('a')]))).toBe(0);
  expect(exitCodeOf(suite([envResult('a'), envResult('b', { status: 'failed' })]))).toBe(1);
  expect(exitCodeOf(suite([envResult('a', { status: 'cancelled' })]))).toBe(1);
  expect(exitCodeOf(suite([envResult('a')], { signal: 'SIGINT' }))).toBe(130);
  expect(exitCodeOf(suite([envResult('a')], { signal: 'SIGTERM' }))).toBe(143);
  expect(exitCodeOf(suite([]))).toBe(0);
});

function setup(rules = '') {
  const project = makeProject({ envs: ['alpha'] });
  const env = project.env(rules ? { FAKE_RULES: rules } : {});
  const plan = createPlan({}, { root: project.root, base: env, reader: diskReader, random: (n) => randomBytes(n).toString('hex'), now: new Date() });
  const { stream, text } = sink();
  const stderr: string[] = [];
  const errors = new Writable({ write: (chunk: Buffer, _encoding, done) => (stderr.push(String(chunk)), done()) });
  const io: RunIo = { env, cwd: project.root, stdout: stream, stderr: errors };
  const handlers = new Map<string, () => void>();
  const signals: SignalSource = { on: (s, h) => handlers.set(s, h), off: (s) => handlers.delete(s) };
  return { project, plan, io, text, stderr, handlers, signals };
}

it('runs a plan in this process without writing process.env, and unhooks its signal handlers', async () => {
  const { project, plan, io, handlers, signals } = setup();
  const before = JSON.stringify(process.env);
  const code = await runCommand(plan, settings, io, realDeps, signals, () => undefined);
  expect(code).toBe(0);
  expect(JSON.stringify(process.env)).toBe(before);
  expect(handlers.size).toBe(0);
  project.cleanup();
});

it('first SIGINT cancels the run (exit 130), a second one exits at once', async () => {
  const { project, plan, io, text, stderr, handlers, signals } = setup('python3|alpha|pytest|sleep=30');
  const hardExit = vi.fn();
  const running = runCommand(plan, settings, io, realDeps, signals, hardExit);
  await vi.waitFor(() => expect(text()).toContain('[alpha] test start'), { timeout: 10_000 });
  handlers.get('SIGINT')!();
  const code = await running;
  expect(code).toBe(130);
  expect(stderr.join('')).toContain('SIGINT: stopping');
  expect(text()).toContain('[alpha] cancelled');
  expect(hardExit).not.toHaveBeenCalled();
  project.cleanup();

  const second = setup('python3|alpha|pytest|sleep=30');
  const exit = vi.fn();
  const pending = runCommand(second.plan, settings, second.io, realDeps, second.signals, exit);
  await vi.waitFor(() => expect(second.text()).toContain('[alpha] test start'), { timeout: 10_000 });
  second.handlers.get('SIGTERM')!();
  second.handlers.get('SIGTERM')!();
  expect(exit).toHaveBeenCalledWith(143);
  expect(await pending).toBe(143);
  second.project.cleanup();
});

it('--no-verbose prints a heartbeat while a phase runs silently', async () => {
  const { project, plan, io, text, signals } = setup('python3|alpha|pytest|sleep=1');
  const code = await runCommand(plan, { ...settings, verbose: false }, io, { ...realDeps, heartbeatMs: 200 }, signals, () => undefined);
  expect(code).toBe(0);
  expect(text()).toMatch(/\[alpha\] test running \d+s\n/);
  expect(text()).not.toContain('$ python3');
  project.cleanup();
});
