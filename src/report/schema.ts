// The `--report` JSON file: its zod schema (the source of truth), the TypeScript type it
// gives, and the JSON Schema generated from it (committed as schema/report.schema.json by
// `node scripts/gen-schema.mjs`; a test keeps the committed file equal to this).
import * as z from '../zod';

import { REPORT_SCHEMA_VERSION } from './version';

export { REPORT_SCHEMA_VERSION };

const count = z.int().nonnegative();
const duration = z.int().nonnegative().describe('milliseconds');
const status = z.enum(['passed', 'failed', 'cancelled']);

export const PhaseReportSchema = z
  .strictObject({
    name: z.enum(['reset', 'compose', 'deploy', 'test', 'cleanup']),
    status: z.enum(['passed', 'failed', 'cancelled', 'skipped']),
    durationMs: duration,
    error: z.string().nullable().describe('why the phase failed; null when it did not'),
  })
  .meta({ title: 'Phase' });

export const TestCountsSchema = z
  .strictObject({
    collected: count,
    passed: count,
    failed: count,
    skipped: count,
    errors: count,
  })
  .meta({ title: 'TestCounts' });

export const EnvReportSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    status,
    error: z.string().nullable().describe('why the env failed or was cancelled; null when it passed'),
    phases: z.array(PhaseReportSchema),
    tests: TestCountsSchema,
    log: z.string().describe('the env log file (relative to the project root when inside it)'),
    composeLog: z.string().nullable().describe("the captured state and logs of the env's containers, when it failed after compose started"),
    junit: z.string().nullable().describe("pytest's own JUnit XML file of this env, when the test phase ran"),
  })
  .meta({ title: 'Env' });

export const ReportSchema = z
  .strictObject({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    startedAt: z.iso.datetime().describe('when the run started (UTC, ISO 8601)'),
    durationMs: duration,
    status: status.describe('failed when any env failed; cancelled when the run was stopped or an env was cancelled; else passed'),
    signal: z.enum(['SIGINT', 'SIGTERM']).nullable().describe('the signal that stopped the run, if one did'),
    envs: z.array(EnvReportSchema),
  })
  .meta({
    title: 'esb-e2e report',
    description: 'Results of one `esb-e2e run --report <file>` (or of `esb-e2e report merge`). Secret values are masked as ***.',
  });

export type Report = z.infer<typeof ReportSchema>;
export type EnvReport = z.infer<typeof EnvReportSchema>;

/** The JSON Schema of the report, as committed in schema/report.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The committed file's exact text. */
export function reportJsonSchemaText(): string {
  return JSON.stringify(reportJsonSchema(), null, 2) + '\n';
}

/** `envs[0].status: Invalid option: ...` lines for a value that is not a report. */
export function reportProblems(value: unknown): string[] | null {
  const parsed = ReportSchema.safeParse(value);
  if (parsed.success) return null;
  return parsed.error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      '',
    );
    return `${path || '(top level)'}: ${issue.message}`;
  });
}
