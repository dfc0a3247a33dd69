// The scheduler: at most `jobs` at once, results in the plan's order, and a result that
// stops the others (fail-fast) stops them as soon as it is in.
import { expect, it } from 'vitest';
import { schedule } from '../../src/run/scheduler';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('runs at most `jobs` at once and returns results in the order of the items, not of finishing', async () => {
  let running = 0;
  let most = 0;
  const results = await schedule(
    [40, 10, 30, 5],
    async (ms) => {
      most = Math.max(most, ++running);
      await later(ms);
      running--;
      return ms;
    },
    { jobs: 2, stopsOthers: () => false, stop: () => undefined },
  );
  expect(results).toEqual([40, 10, 30, 5]);
  expect(most).toBe(2);
});

it('stops the others once a result says so; the queued ones still get their turn (and see the stop)', async () => {
  const stop = new AbortController();
  const seen: string[] = [];
  const results = await schedule(
    ['fails', 'runs', 'queued'],
    async (name) => {
      if (stop.signal.aborted) return `${name}: cancelled before it started`;
      seen.push(name);
      if (name === 'fails') return 'failed';
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      return `${name}: cancelled`;
    },
    { jobs: 2, stopsOthers: (r) => r === 'failed', stop: () => stop.abort() },
  );
  expect(results).toEqual(['failed', 'runs: cancelled', 'queued: cancelled before it started']);
  expect(seen).toEqual(['fails', 'runs']);
});
