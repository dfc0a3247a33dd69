// EventBus: every reporter sees every event in order; pressure joins reporters' waits.
import { expect, it } from 'vitest';
import { EventBus, type RunEvent } from '../src/events';

it('delivers events in order to every reporter and combines their pressure', async () => {
  const bus = new EventBus();
  const seen: string[] = [];
  let release: () => void = () => undefined;
  const blocked = new Promise<void>((r) => (release = r));
  bus.subscribe({ onEvent: (e) => seen.push(`a:${e.type}`) });
  bus.subscribe({ onEvent: (e) => seen.push(`b:${e.type}`), pressure: () => blocked });
  const events: RunEvent[] = [{ type: 'env_start', env: 'x' }, { type: 'env_end', env: 'x', status: 'passed', durationMs: 1 }];
  events.forEach((e) => bus.emit(e));
  expect(seen).toEqual(['a:env_start', 'b:env_start', 'a:env_end', 'b:env_end']);
  let done = false;
  void bus.pressure()!.then(() => (done = true));
  await Promise.resolve();
  expect(done).toBe(false);
  release();
  await blocked;
  await new Promise((r) => setTimeout(r, 0));
  expect(done).toBe(true);
  const idle = new EventBus();
  idle.subscribe({ onEvent: () => undefined });
  expect(idle.pressure()).toBeUndefined();
});

it("masks every message an event carries before reporters see it; an output event's lines are masked where they are read", () => {
  const bus = new EventBus((text) => text.replaceAll('s3cr3t-value', '***'));
  const seen: RunEvent[] = [];
  bus.subscribe({ onEvent: (e) => seen.push(e) });
  const env = { name: 'a', status: 'failed', durationMs: 1, error: 'deploy: s3cr3t-value', phases: [{ name: 'deploy', status: 'failed', durationMs: 1, error: 'x s3cr3t-value' }], tests: { collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 }, log: 'l', composeLog: null, junit: null, tail: ['tail s3cr3t-value'], leftUp: null } as const;
  const events: RunEvent[] = [
    { type: 'notice', scope: 'suite', message: 'note s3cr3t-value' },
    { type: 'command', env: 'a', phase: 'deploy', command: 'esb --token s3cr3t-value' },
    { type: 'phase_end', env: 'a', phase: 'compose', status: 'failed', durationMs: 1, error: 'http://u:s3cr3t-value@h did not answer' },
    { type: 'env_end', env: 'a', status: 'failed', durationMs: 1, error: 'compose: s3cr3t-value' },
    { type: 'suite_end', result: { runId: 'r', status: 'failed', startedAt: '', durationMs: 1, signal: null, registryUp: null, envs: [{ ...env, phases: [...env.phases], tail: [...env.tail] }] } },
    { type: 'output', env: 'a', phase: 'test', lines: ['already masked upstream'] },
  ];
  events.forEach((e) => bus.emit(e));
  expect(JSON.stringify(seen)).not.toContain('s3cr3t-value');
  expect(JSON.stringify(seen.slice(0, 5))).toContain('***');
  expect(seen[5]).toBe(events[5]);
});
