// The plain reporter prints SPEC's lines; --no-verbose keeps markers, progress and heartbeats.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/events';
import { PlainReporter } from '../../src/report/plain';
import { envResult, sink, suite } from '../helpers/results';

const events: RunEvent[] = [
  { type: 'suite_start', runId: '0123456789abcdef', envs: ['e2e-docker'], jobs: 1, startedAt: '' },
  { type: 'registry_ready', url: 'http://127.0.0.1:5010/v2/', durationMs: 10 },
  { type: 'env_start', env: 'e2e-docker' },
  { type: 'phase_start', env: 'e2e-docker', phase: 'reset' },
  { type: 'command', env: 'e2e-docker', phase: 'reset', command: 'docker compose --project-name esb-e2e-docker down' },
  { type: 'output', env: 'e2e-docker', phase: 'reset', lines: ['Removing network', 'Removed volume x'] },
  { type: 'phase_end', env: 'e2e-docker', phase: 'reset', status: 'passed', durationMs: 1234 },
  { type: 'phase_skip', env: 'e2e-docker', phase: 'deploy', reason: '--test-only' },
  { type: 'phase_progress', env: 'e2e-docker', phase: 'test', current: 3, total: 10, passed: 3, failed: 0 },
  { type: 'heartbeat', env: 'e2e-docker', phase: 'test', elapsedMs: 150_000 },
  { type: 'phase_end', env: 'e2e-docker', phase: 'test', status: 'failed', durationMs: 2000, error: 'pytest: 1 failed' },
  { type: 'env_end', env: 'e2e-docker', status: 'failed', durationMs: 4000, error: 'test: pytest: 1 failed' },
];

function render(verbose: boolean, color = false): string {
  const { out, text } = sink();
  const r = new PlainReporter(out, { verbose, color, root: '/p' });
  for (const e of events) r.onEvent(e);
  return text();
}

describe('PlainReporter', () => {
  it('verbose: every marker, command and output line, [env]-prefixed', () => {
    expect(render(true)).toBe(
      [
        '[suite] started',
        '[infra] registry ready',
        '[e2e-docker] started',
        '[e2e-docker] reset start',
        '[e2e-docker] $ docker compose --project-name esb-e2e-docker down',
        '[e2e-docker] Removing network',
        '[e2e-docker] Removed volume x',
        '[e2e-docker] reset passed (1.2s)',
        '[e2e-docker] deploy skipped (--test-only)',
        '[e2e-docker] test failed (2.0s): pytest: 1 failed',
        '[e2e-docker] failed: test: pytest: 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('--no-verbose: markers, progress and heartbeat only', () => {
    const text = render(false);
    expect(text).not.toContain('$ docker');
    expect(text).not.toContain('Removing network');
    expect(text).toContain('[e2e-docker] test progress 3/10\n');
    expect(text).toContain('[e2e-docker] test running 2m30s\n');
    expect(text).toContain('[e2e-docker] reset passed (1.2s)\n');
  });

  it('colours only the prefixes, and only when asked', () => {
    const text = render(true, true);
    expect(text).toContain('\x1b[');
    expect(text.split('\n').filter(Boolean).every((l) => l.startsWith('\x1b['))).toBe(true);
    expect(text.replace(/\x1b\[\d+m/g, '')).toBe(render(true, false));
  });

  it('ends with the summary table and the failed env tail', () => {
    const { out, text } = sink();
    const r = new PlainReporter(out, { verbose: false, color: false, root: '/p' });
    const failed = envResult('b', { status: 'failed', error: 'deploy: esb exited with code 1', composeLog: '/p/e2e/.parallel-b.compose.log', tail: ['$ esb deploy', 'boom'] });
    r.onEvent({ type: 'suite_end', result: suite([envResult('a'), failed]) });
    const t = text();
    expect(t).toContain('[suite] finished\n');
    expect(t).toMatch(/env\s+status\s+reset\s+compose\s+deploy\s+test\s+tests\s+log/);
    expect(t).toMatch(/a\s+passed\s+1\.2s\s+3\.4s\s+1m05s\s+10\.0s\s+3 passed\s+e2e\/\.parallel-a\.log/);
    expect(t).toContain('b failed: deploy: esb exited with code 1');
    expect(t).toContain("containers' state and logs: e2e/.parallel-b.compose.log");
    expect(t).toContain('--- last 2 lines of e2e/.parallel-b.log ---\n$ esb deploy\nboom\n---');
    expect(t).toContain('FAILED: 1 passed, 1 failed, 0 cancelled');
  });
});

it('--no-verbose: a handful of lines per env whatever the number of tests (progress at most every 5 s per env)', () => {
  const { out, text } = sink();
  let now = 0;
  const r = new PlainReporter(out, { verbose: false, color: false, root: '/p', now: () => now });
  r.onEvent({ type: 'suite_start', runId: '0123456789abcdef', envs: ['a', 'b'], jobs: 2, startedAt: '' });
  for (let i = 1; i <= 500; i++) {
    now = i * 20; // 500 tests over 10 s
    r.onEvent({ type: 'phase_progress', env: 'a', phase: 'test', current: i, total: 500, passed: i, failed: 0 });
    if (i % 2) r.onEvent({ type: 'phase_progress', env: 'b', phase: 'test', current: i, total: 500, passed: i, failed: 0 });
  }
  const lines = text().split('\n').filter((l) => l.includes('progress'));
  expect(lines).toEqual(['[a] test progress 1/500', '[b] test progress 1/500', '[a] test progress 251/500', '[b] test progress 251/500']);
});
