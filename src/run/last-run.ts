// What `run --failed` reads: the last run's result per env, kept in a small file of its log
// dir (`.esb-e2e-last.json`), written when a run ends.
import { join } from 'node:path';
import type { SuiteResult } from '../events';
import { writeFileAtomic } from '../io/files';
import { decodeText, readRegular } from '../io/reader';

export const LAST_RUN_FILE = '.esb-e2e-last.json';

export interface LastRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly envs: Readonly<Record<string, string>>;
}

export function writeLastRun(logDir: string, result: SuiteResult): void {
  const last: LastRun = { runId: result.runId, startedAt: result.startedAt, envs: Object.fromEntries(result.envs.map((e) => [e.name, e.status])) };
  writeFileAtomic(join(logDir, LAST_RUN_FILE), JSON.stringify(last, null, 2) + '\n');
}

/** The last run of this log dir, or null when there was none (or its file is not one of ours). */
export function readLastRun(logDir: string): LastRun | null {
  try {
    const value = JSON.parse(decodeText(readRegular(join(logDir, LAST_RUN_FILE), 1024 * 1024))) as Partial<LastRun>;
    if (typeof value.runId !== 'string' || typeof value.startedAt !== 'string' || typeof value.envs !== 'object' || value.envs === null) return null;
    return value as LastRun;
  } catch {
    return null;
  }
}

/** The envs that did not pass in the last run. */
export function failedIn(last: LastRun): string[] {
  return Object.entries(last.envs)
    .filter(([, status]) => status !== 'passed')
    .map(([name]) => name);
}
