// SuiteResult -> the `--report` JSON document. Pure: the caller passes the masker (built
// from the plan's base env and every env's resolved env) and the project root that paths
// are shown relative to. Every string goes through the masker and loses colour codes.
import type { EnvResult, SuiteResult } from '../events';
import { display } from '../format';
import { stripAnsi } from '../mask';
import type { EnvReport, Report } from './schema';
import { REPORT_SCHEMA_VERSION } from './version';

export type Mask = (text: string) => string;

export interface ReportContext {
  readonly root: string;
  readonly mask: Mask;
}

export function buildReport(result: SuiteResult, ctx: ReportContext): Report {
  const text = (s: string) => ctx.mask(stripAnsi(s));
  const maybe = (s: string | null) => (s === null ? null : text(s));
  const path = (p: string | null) => (p === null ? null : text(display(ctx.root, p)));
  const env = (e: EnvResult): EnvReport => ({
    name: e.name,
    status: e.status,
    error: maybe(e.error),
    phases: e.phases.map((p) => ({ name: p.name, status: p.status, durationMs: Math.max(0, Math.round(p.durationMs)), error: maybe(p.error) })),
    tests: { ...e.tests },
    log: path(e.log),
    composeLog: path(e.composeLog),
    junit: path(e.junit),
  });
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: result.runId,
    startedAt: result.startedAt,
    durationMs: Math.max(0, Math.round(result.durationMs)),
    status: result.status,
    signal: result.signal,
    envs: result.envs.map(env),
  };
}

export function reportText(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
