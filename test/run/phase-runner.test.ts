// One phase: markers in the log and events, its timeout (its signal aborts), a heartbeat
// while it runs, cancellation by its parent, and no pass before its lines are on disk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { EventBus, type RunEvent } from '../../src/events';
import { EnvLog } from '../../src/run/env-log';
import { PhaseRunner } from '../../src/run/phase-runner';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-phase-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function setup(heartbeatMs = 60_000) {
  const events: RunEvent[] = [];
  const bus = new EventBus();
  bus.subscribe({ onEvent: (e) => events.push(e) });
  const log = await EnvLog.open(join(tmp, `${Math.random()}.log`));
  const runner = new PhaseRunner('alpha', log, bus, { now: () => Date.now(), heartbeatMs });
  return { events, log, runner, text: async () => (await log.drained(), readFileSync(log.path, 'utf8')) };
}

it('passes: start and end markers in the log, phase_start and phase_end events', async () => {
  const { events, runner, text } = await setup();
  const { result } = await runner.run('deploy', 10, new AbortController().signal, async () => ({ ok: true }));
  expect(result).toMatchObject({ name: 'deploy', status: 'passed', error: null });
  expect(events.map((e) => e.type)).toEqual(['phase_start', 'phase_end']);
  expect(await text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ==> deploy\n\[\d\d:\d\d:\d\d\.\d{3}\] <== deploy passed \(\d+\.\ds\)\n$/);
});

it('times out: the body sees its signal abort, the phase fails with the limit it had', async () => {
  const { runner } = await setup();
  const { result } = await runner.run('test', 0.05, new AbortController().signal, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'killed' }))));
  expect(result).toMatchObject({ status: 'failed', error: 'timed out after 0.1s' });
});

it('is cancelled with its parent; a throwing body fails with its message', async () => {
  const { runner } = await setup();
  const parent = new AbortController();
  setTimeout(() => parent.abort(), 20);
  const cancelled = await runner.run('compose', 10, parent.signal, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ok: false, reason: 'x' }))));
  expect(cancelled.result).toMatchObject({ status: 'cancelled', error: 'cancelled' });
  const thrown = await runner.run('reset', 10, new AbortController().signal, async () => {
    throw new Error('no free port block below 65535 for its automatic ports');
  });
  expect(thrown.result).toMatchObject({ status: 'failed', error: 'no free port block below 65535 for its automatic ports' });
});

it('beats while it runs, and hands back the outcome (a new binding)', async () => {
  const { events, runner } = await setup(15);
  const binding = { shift: 1, discovered: null, vars: {} };
  const { outcome } = await runner.run('test', 10, new AbortController().signal, async () => {
    await new Promise((r) => setTimeout(r, 80));
    return { ok: true, binding };
  });
  expect(events.filter((e) => e.type === 'heartbeat').length).toBeGreaterThanOrEqual(2);
  expect(outcome).toEqual({ ok: true, binding });
});
