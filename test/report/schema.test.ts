// The report schema: the committed JSON Schema file is what the zod schema generates now,
// and real reports validate against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Masker } from '../../src/mask';
import { buildReport } from '../../src/report/json-report';
import { ReportSchema, reportJsonSchema, reportJsonSchemaText, reportProblems } from '../../src/report/schema';
import { REPO } from '../helpers/fake-project';
import { envResult, suite } from '../helpers/results';

describe('schema/report.schema.json', () => {
  it('is exactly what src/report/schema.ts generates (run `node scripts/gen-schema.mjs` after changing the schema)', () => {
    const committed = readFileSync(join(REPO, 'schema', 'report.schema.json'), 'utf8');
    expect(committed).toBe(reportJsonSchemaText());
  });

  it('is a draft 2020-12 schema of a closed object with every top-level field required', () => {
    const schema = reportJsonSchema() as { $schema: string; required: string[]; additionalProperties: boolean };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['schemaVersion', 'runId', 'startedAt', 'durationMs', 'status', 'signal', 'envs']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('ReportSchema', () => {
  it('accepts a report built from a real run result: passed, failed after compose, cancelled before start', () => {
    const result = suite(
      [
        envResult('alpha', { junit: '/p/e2e/.junit-alpha.xml' }),
        envResult('beta', {
          status: 'failed',
          error: 'deploy: esb exited with code 3',
          phases: [
            { name: 'reset', status: 'passed', durationMs: 10, error: null },
            { name: 'compose', status: 'passed', durationMs: 10, error: null },
            { name: 'deploy', status: 'failed', durationMs: 10, error: 'esb exited with code 3' },
            { name: 'test', status: 'skipped', durationMs: 0, error: null },
            { name: 'cleanup', status: 'passed', durationMs: 5, error: null },
          ],
          composeLog: '/p/e2e/.parallel-beta.compose.log',
        }),
        envResult('gamma', { status: 'cancelled', error: 'cancelled before it started' }),
      ],
      { status: 'failed', signal: 'SIGINT' },
    );
    const report = buildReport(result, { root: '/p', mask: (s) => new Masker([]).mask(s) });
    expect(ReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(reportProblems(report)).toBeNull();
  });

  it('names the place of every problem', () => {
    const report = buildReport(suite([envResult('alpha')]), { root: '/p', mask: (s) => s });
    const bad = { ...report, schemaVersion: 1, envs: [{ ...report.envs[0], status: 'fine', extra: 1 }] };
    const problems = reportProblems(bad)!;
    expect(problems.some((p) => p.startsWith('schemaVersion: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('envs[0].status: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('envs[0]: ') && p.includes('extra'))).toBe(true);
    expect(reportProblems([])).toEqual(['(top level): Invalid input: expected object, received array']);
  });
});
