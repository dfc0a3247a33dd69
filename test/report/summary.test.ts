// The summary: text table with phase durations and tests, markdown for CI step summaries.
import { expect, it } from 'vitest';
import { summaryMarkdown, summaryText, testsCell } from '../../src/report/summary';
import { envResult, suite } from '../helpers/results';

it('marks failed and skipped phases and shows a cleanup column only when one ran', () => {
  const failed = envResult('b', {
    status: 'failed',
    error: 'compose: wait failed',
    phases: [
      { name: 'reset', status: 'passed', durationMs: 1000, error: null },
      { name: 'compose', status: 'failed', durationMs: 61_000, error: 'wait failed' },
      { name: 'deploy', status: 'skipped', durationMs: 0, error: null },
      { name: 'test', status: 'skipped', durationMs: 0, error: null },
    ],
    tests: { collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 },
  });
  const text = summaryText(suite([failed]), '/p');
  expect(text).toMatch(/b\s+failed\s+1\.0s\s+!1m01s\s+-\s+-\s+-\s+e2e\/\.parallel-b\.log/);
  expect(text).not.toContain('cleanup');
  const cleaned = envResult('a', { phases: [...envResult('a').phases, { name: 'cleanup', status: 'passed', durationMs: 900, error: null }] });
  expect(summaryText(suite([cleaned]), '/p')).toMatch(/cleanup[\s\S]*0\.9s/);
});

it('counts tests', () => {
  expect(testsCell(envResult('a', { tests: { collected: 5, passed: 3, failed: 1, skipped: 1, errors: 0 } }))).toBe('3 passed, 1 failed, 1 skipped');
});

it('renders markdown with escaped cells', () => {
  const md = summaryMarkdown(suite([envResult('a', { status: 'failed', error: 'a | b' })]), '/p');
  expect(md).toContain('| env | status | reset | compose | deploy | test | tests | log |');
  expect(md).toContain('**a** failed: a \\| b');
});
