// The live view, played onto a model terminal: one line per env redrawn in place, what
// must stay printed above it, lines that fit, a view that fits the rows, few redraws.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/events';
import { LiveReporter } from '../../src/report/live';
import { envResult, sink, suite } from '../helpers/results';
import { Screen } from '../helpers/screen';

let now = 0;
beforeEach(() => {
  vi.useFakeTimers();
  now = 0;
});
afterEach(() => vi.useRealTimers());

function live(size = { columns: 80, rows: 24 }, color = false) {
  const { out, text } = sink();
  const r = new LiveReporter(out, { color, root: '/p', size: () => size, now: () => now });
  const screen = (columns = size.columns) => {
    const s = new Screen(columns);
    s.play(text());
    return s.text();
  };
  return { r, text, screen, size };
}

const start = (envs: string[]): RunEvent => ({ type: 'suite_start', runId: 'r', envs, jobs: envs.length, startedAt: '' });

/** Events, each at its own time; timers run as the clock moves. */
function play(r: LiveReporter, events: [number, RunEvent][]): void {
  for (const [at, e] of events) {
    vi.advanceTimersByTime(at - now);
    now = at;
    r.onEvent(e);
  }
  vi.advanceTimersByTime(200);
  now += 200;
}

describe('LiveReporter', () => {
  it('one line per env, redrawn in place: phase, time so far, tests passed and failed so far', () => {
    const { r, screen } = live();
    play(r, [
      [0, start(['alpha', 'beta-long'])],
      [0, { type: 'env_start', env: 'alpha' }],
      [0, { type: 'phase_start', env: 'alpha', phase: 'reset' }],
      [10, { type: 'env_start', env: 'beta-long' }],
      [500, { type: 'phase_start', env: 'alpha', phase: 'test' }],
      [65_000, { type: 'phase_progress', env: 'alpha', phase: 'test', current: 3, total: 10, passed: 2, failed: 1 }],
    ]);
    expect(screen()).toEqual(['alpha      test        1m05s  3/10  2 passed, 1 failed', 'beta-long  waiting     1m04s']);
  });

  it('a failure and a note stay above the view; the view goes on under them; then the summary', () => {
    const { r, screen } = live();
    play(r, [
      [0, start(['a', 'b'])],
      [0, { type: 'env_start', env: 'a' }],
      [0, { type: 'env_start', env: 'b' }],
      [5, { type: 'notice', scope: 'suite', message: 'port 8443 busy' }],
      [2000, { type: 'env_end', env: 'a', status: 'failed', durationMs: 2000, error: 'deploy: esb exited with code 3' }],
      [2100, { type: 'phase_start', env: 'b', phase: 'deploy' }],
    ]);
    expect(screen()).toEqual(['[suite] note: port 8443 busy', '[a] failed after 2.0s: deploy: esb exited with code 3', 'a    failed       2.0s', 'b    deploy         2s']);
    const result = suite([envResult('a', { status: 'failed', error: 'deploy: esb exited with code 3' }), envResult('b')]);
    play(r, [
      [3000, { type: 'env_end', env: 'b', status: 'passed', durationMs: 3000 }],
      [3000, { type: 'suite_end', result }],
    ]);
    const shown = screen();
    expect(shown.slice(0, 4)).toEqual(['[suite] note: port 8443 busy', '[a] failed after 2.0s: deploy: esb exited with code 3', 'a    failed       2.0s', 'b    passed       3.0s']);
    expect(shown).toContain('FAILED: 1 passed, 1 failed, 0 cancelled in 1m20s');
  });

  it('no line is wider than the terminal, and a narrower terminal gets no leftovers', () => {
    const size = { columns: 60, rows: 24 };
    const { r, screen, text } = live(size);
    const name = 'an-env-with-a-rather-long-name-for-a-terminal';
    play(r, [
      [0, start([name])],
      [0, { type: 'env_start', env: name }],
      [0, { type: 'phase_progress', env: name, phase: 'test', current: 120, total: 400, passed: 119, failed: 1 }],
    ]);
    expect(screen().every((l) => l.length < 60)).toBe(true);
    expect(screen()[0]).toMatch(/…$/);
    // The terminal shrinks: the line drawn at 60 now wraps at 30; the next frame moves up over both rows.
    const terminal = new Screen(60);
    const drawn = text().length;
    terminal.play(text());
    terminal.resize(30);
    expect(terminal.text()).toHaveLength(2);
    size.columns = 30;
    play(r, [[5000, { type: 'phase_start', env: name, phase: 'test' }]]);
    terminal.play(text().slice(drawn));
    expect(terminal.text()).toEqual(['an-env-with-a-rather-long-na…']);
  });

  it('more envs than rows: the running and failed ones, and how many more', () => {
    const envs = Array.from({ length: 12 }, (_, i) => `env${String(i).padStart(2, '0')}`);
    const { r, screen } = live({ columns: 80, rows: 6 });
    play(r, [
      [0, start(envs)],
      [0, { type: 'env_start', env: 'env07' }],
      [0, { type: 'env_start', env: 'env01' }],
      [0, { type: 'env_end', env: 'env01', status: 'passed', durationMs: 100 }],
      [0, { type: 'env_start', env: 'env11' }],
    ]);
    const shown = screen();
    // Running first, then failed, then waiting; the ones done last; shown in matrix order.
    expect(shown.map((l) => l.split(' ')[0])).toEqual(['env00', 'env02', 'env07', 'env11', '...']);
    expect(shown.at(-1)).toBe('... and 8 more (1 done)');
  });

  it('a burst of events is one redraw per frame, not one per event', () => {
    const { r, text } = live();
    play(r, [[0, start(['a'])]]);
    const frames = () => text().split('\x1b[J').length - 1;
    const before = frames();
    for (let i = 1; i <= 1000; i++) r.onEvent({ type: 'phase_progress', env: 'a', phase: 'test', current: i, total: 1000, passed: i, failed: 0 });
    vi.advanceTimersByTime(100);
    expect(frames() - before).toBe(1);
  });

  it('after the summary nothing more is drawn (its clocks are stopped)', async () => {
    const { r, text } = live();
    play(r, [
      [0, start(['a'])],
      [0, { type: 'suite_end', result: suite([envResult('a')]) }],
    ]);
    const done = text();
    vi.advanceTimersByTime(10_000);
    await r.close();
    expect(text()).toBe(done);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('colour: only the env name, by its result', () => {
    const { r, text } = live({ columns: 80, rows: 24 }, true);
    play(r, [
      [0, start(['a', 'b'])],
      [0, { type: 'env_end', env: 'a', status: 'failed', durationMs: 1 }],
      [0, { type: 'env_end', env: 'b', status: 'passed', durationMs: 1 }],
    ]);
    expect(text()).toContain('\x1b[31ma\x1b[0m    failed');
    expect(text()).toContain('\x1b[32mb\x1b[0m    passed');
  });
});
