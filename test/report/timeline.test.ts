// The timeline: phase bars timed from the events by a fake clock, relative to the suite's
// start, closed when their phase ends or, at the latest, when their env or the run does.
import { expect, it } from 'vitest';
import type { RunEvent } from '../../src/events';
import { Timeline } from '../../src/report/timeline';
import { envResult, suite } from '../helpers/results';

/** A timeline on a clock that reads `t`, and a way to feed it an event at a given time. */
function clocked(): { timeline: Timeline; at: (t: number, e: RunEvent) => void } {
  let now = 0;
  const timeline = new Timeline(() => now);
  return {
    timeline,
    at: (t, e) => {
      now = t;
      timeline.onEvent(e);
    },
  };
}

const start: RunEvent = { type: 'suite_start', runId: 'r', envs: ['a', 'b'], jobs: 2, startedAt: '2026-11-25T12:00:00.000Z' };

it('times each phase from suite_start, in the order phases started, with how each ended', () => {
  const { timeline, at } = clocked();
  at(10_000, start);
  at(10_100, { type: 'phase_start', env: 'a', phase: 'reset' });
  at(10_200, { type: 'phase_start', env: 'b', phase: 'reset' });
  at(11_100, { type: 'phase_end', env: 'a', phase: 'reset', status: 'passed', durationMs: 1000 });
  at(11_100, { type: 'phase_start', env: 'a', phase: 'compose' });
  at(12_000, { type: 'phase_end', env: 'b', phase: 'reset', status: 'failed', durationMs: 1800, error: 'boom' });
  at(12_000, { type: 'phase_skip', env: 'b', phase: 'compose', reason: '--test-only' });
  at(15_000, { type: 'phase_end', env: 'a', phase: 'compose', status: 'passed', durationMs: 3900 });
  expect(timeline.bars()).toEqual([
    { env: 'a', phase: 'reset', startMs: 100, endMs: 1100, status: 'passed' },
    { env: 'b', phase: 'reset', startMs: 200, endMs: 2000, status: 'failed' },
    { env: 'a', phase: 'compose', startMs: 1100, endMs: 5000, status: 'passed' },
  ]);
  expect(timeline.spanMs()).toBe(5000);
});

it('leaves a running phase out of the bars until it ends', () => {
  const { timeline, at } = clocked();
  at(0, start);
  at(50, { type: 'phase_start', env: 'a', phase: 'deploy' });
  expect(timeline.bars()).toEqual([]);
  expect(timeline.spanMs()).toBe(0);
});

it("closes an env's open phases as cancelled at env_end, and only that env's", () => {
  const { timeline, at } = clocked();
  at(1000, start);
  at(1100, { type: 'phase_start', env: 'a', phase: 'deploy' });
  at(1200, { type: 'phase_start', env: 'b', phase: 'test' });
  at(4000, { type: 'env_end', env: 'a', status: 'cancelled', durationMs: 2900 });
  expect(timeline.bars()).toEqual([{ env: 'a', phase: 'deploy', startMs: 100, endMs: 3000, status: 'cancelled' }]);
  // b's test ends normally later: env_end of a did not touch it.
  at(4500, { type: 'phase_end', env: 'b', phase: 'test', status: 'passed', durationMs: 3300 });
  expect(timeline.bars()[1]).toEqual({ env: 'b', phase: 'test', startMs: 200, endMs: 3500, status: 'passed' });
});

it('closes whatever is still open at suite_end, and spans the suite when it lasted longer than its bars', () => {
  const { timeline, at } = clocked();
  at(0, start);
  at(300, { type: 'phase_start', env: 'a', phase: 'compose' });
  at(900, { type: 'suite_end', result: suite([envResult('a', { status: 'cancelled' })], { durationMs: 20_000 }) });
  expect(timeline.bars()).toEqual([{ env: 'a', phase: 'compose', startMs: 300, endMs: 900, status: 'cancelled' }]);
  expect(timeline.spanMs()).toBe(20_000);
});

it('places an end with no start by its duration, and never before the start of the run', () => {
  const { timeline, at } = clocked();
  at(5000, start);
  // The run's setup failed: a phase is reported failed without having started.
  at(5400, { type: 'phase_end', env: 'a', phase: 'compose', status: 'failed', durationMs: 0, error: 'setup' });
  at(5600, { type: 'phase_end', env: 'b', phase: 'reset', status: 'failed', durationMs: 10_000, error: 'x' });
  expect(timeline.bars()).toEqual([
    { env: 'a', phase: 'compose', startMs: 400, endMs: 400, status: 'failed' },
    { env: 'b', phase: 'reset', startMs: 0, endMs: 600, status: 'failed' },
  ]);
});

it('does not let a clock that steps back put a bar before its start or the run', () => {
  const { timeline, at } = clocked();
  at(1000, start);
  at(1500, { type: 'phase_start', env: 'a', phase: 'reset' });
  at(1200, { type: 'phase_end', env: 'a', phase: 'reset', status: 'passed', durationMs: 1 });
  at(900, { type: 'phase_start', env: 'a', phase: 'compose' });
  at(950, { type: 'phase_end', env: 'a', phase: 'compose', status: 'passed', durationMs: 1 });
  expect(timeline.bars()).toEqual([
    { env: 'a', phase: 'reset', startMs: 500, endMs: 500, status: 'passed' },
    { env: 'a', phase: 'compose', startMs: 0, endMs: 0, status: 'passed' },
  ]);
});

it('counts from the first event when suite_start never came, and takes Date.now by default', () => {
  const { timeline, at } = clocked();
  at(7000, { type: 'phase_start', env: 'a', phase: 'test' });
  at(7250, { type: 'phase_end', env: 'a', phase: 'test', status: 'passed', durationMs: 250 });
  expect(timeline.bars()).toEqual([{ env: 'a', phase: 'test', startMs: 0, endMs: 250, status: 'passed' }]);

  const real = new Timeline();
  real.onEvent(start);
  real.onEvent({ type: 'phase_start', env: 'a', phase: 'reset' });
  real.onEvent({ type: 'phase_end', env: 'a', phase: 'reset', status: 'passed', durationMs: 0 });
  const [bar] = real.bars();
  expect(bar!.startMs).toBeGreaterThanOrEqual(0);
  expect(bar!.endMs).toBeLessThan(60_000);
});

it('cancels a phase that is started again before it ended', () => {
  const { timeline, at } = clocked();
  at(0, start);
  at(100, { type: 'phase_start', env: 'a', phase: 'deploy' });
  at(300, { type: 'phase_start', env: 'a', phase: 'deploy' });
  at(700, { type: 'phase_end', env: 'a', phase: 'deploy', status: 'passed', durationMs: 400 });
  expect(timeline.bars()).toEqual([
    { env: 'a', phase: 'deploy', startMs: 100, endMs: 300, status: 'cancelled' },
    { env: 'a', phase: 'deploy', startMs: 300, endMs: 700, status: 'passed' },
  ]);
});
