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
