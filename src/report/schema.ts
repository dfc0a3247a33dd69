// The `--report` JSON file: its zod schema (the source of truth), the TypeScript type it
// gives, and the JSON Schema generated from it (committed as schema/report.schema.json by
// `node scripts/gen-schema.mjs`; a test keeps the committed file equal to this).
import * as z from '../zod';
import { REPORT_SCHEMA_VERSION } from './version';

export { REPORT_SCHEMA_VERSION };

const described = <T extends z.ZodMiniType>(schema: T, description: string): T => schema.check(z.describe(description));
const titled = <T extends z.ZodMiniType>(schema: T, meta: { title: string; description?: string }): T => schema.check(z.meta(meta));
const count = z.int().check(z.nonnegative());
const duration = described(z.int().check(z.nonnegative()), 'milliseconds');
const status = z.enum(['passed', 'failed', 'cancelled']);
const maybe = (description: string) => described(z.nullable(z.string()), description);

export const PhaseReportSchema = titled(
  z.strictObject({
    name: z.enum(['reset', 'compose', 'deploy', 'test', 'cleanup']),
    status: z.enum(['passed', 'failed', 'cancelled', 'skipped']),
    durationMs: duration,
    error: maybe('why the phase failed; null when it did not'),
  }),
  { title: 'Phase' },
);

export const TestCountsSchema = titled(
  z.strictObject({
    collected: count,
    passed: count,
    failed: count,
    skipped: count,
    errors: count,
  }),
  { title: 'TestCounts' },
);

export const EnvReportSchema = titled(
  z.strictObject({
    name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/)),
    status,
    error: maybe('why the env failed or was cancelled; null when it passed'),
    phases: z.array(PhaseReportSchema),
    tests: TestCountsSchema,
    log: maybe('the env log file (relative to the project root when inside it), when this run wrote one'),
    composeLog: maybe("the captured state and logs of the env's containers, when it failed after compose started"),
    junit: maybe("pytest's own JUnit XML file of this env, when the test phase ran"),
  }),
  { title: 'Env' },
);

export const ReportSchema = titled(
  z.strictObject({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    runId: described(z.string().check(z.regex(/^[0-9a-f]{16}$/)), 'the run that wrote this report (and every file it points at)'),
    startedAt: described(z.iso.datetime(), 'when the run started (UTC, ISO 8601)'),
    durationMs: duration,
    status: described(status, 'failed when any env failed; cancelled when the run was stopped or an env was cancelled; else passed'),
    signal: described(z.nullable(z.enum(['SIGINT', 'SIGTERM', 'SIGHUP'])), 'the signal that stopped the run, if one did'),
    envs: z.array(EnvReportSchema),
  }),
  {
    title: 'esb-e2e report',
    description: 'Results of one `esb-e2e run --report <file>` (or of `esb-e2e report merge`). Secret values are masked as ***.',
  },
);

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
