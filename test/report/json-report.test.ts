// SuiteResult -> report: the fields, paths relative to the project root, secrets masked,
// colour codes dropped.
import { expect, it } from 'vitest';
import { Masker } from '../../src/mask';
import { buildReport, reportText } from '../../src/report/json-report';
import { envResult, suite } from '../helpers/results';

it('carries the run and each env: phases, tests, log files; paths relative to the root', () => {
  const result = suite([envResult('alpha', { junit: '/p/e2e/.junit-alpha.xml', composeLog: '/elsewhere/c.log' })], { durationMs: 1234.6 });
  const report = buildReport(result, { root: '/p', mask: (s) => s });
  expect(report).toEqual({
    schemaVersion: 2,
    runId: '0123456789abcdef',
    startedAt: '2026-11-25T12:00:00.000Z',
    durationMs: 1235,
    status: 'passed',
    signal: null,
    envs: [
      {
        name: 'alpha',
        status: 'passed',
        error: null,
        phases: [
          { name: 'reset', status: 'passed', durationMs: 1200, error: null },
          { name: 'compose', status: 'passed', durationMs: 3400, error: null },
          { name: 'deploy', status: 'passed', durationMs: 65_000, error: null },
          { name: 'test', status: 'passed', durationMs: 10_000, error: null },
        ],
        tests: { collected: 3, passed: 3, failed: 0, skipped: 0, errors: 0 },
        log: 'e2e/.parallel-alpha.log',
        composeLog: '/elsewhere/c.log',
        junit: 'e2e/.junit-alpha.xml',
      },
    ],
  });
  // The tail (console material) is not part of the report.
  expect(reportText(report)).not.toContain('tail');
  expect(reportText(report).endsWith('}\n')).toBe(true);
});

it('masks secret values and URL credentials in every string, and drops colour codes', () => {
  const masker = Masker.forVars({ AUTH_PASS: 'hunter2hunter2' });
  const env = envResult('alpha', {
    status: 'failed',
    error: 'deploy: \x1b[31mlogin failed for hunter2hunter2\x1b[0m at https://bob:pw@registry:5010',
    phases: [{ name: 'deploy', status: 'failed', durationMs: 1, error: 'login failed for hunter2hunter2' }],
  });
  const text = reportText(buildReport(suite([env]), { root: '/p', mask: (s) => masker.mask(s) }));
  expect(text).not.toContain('hunter2hunter2');
  expect(text).not.toContain('bob:pw');
  expect(text).not.toContain('\\u001b');
  expect(text).toContain('deploy: login failed for *** at https://***@registry:5010');
});

