// After a run: the `--report` JSON and the `--junit` XML files, written atomically, with
// every secret of the plan masked (the base env's and each env's resolved variables).
import { resolve } from 'node:path';
import type { RunSettings } from '../cli';
import type { SuiteResult } from '../events';
import { Masker } from '../mask';
import type { Plan } from '../planner';
import { errorText, readIfFresh, writeFileAtomic } from './files';
import { runJunit } from './junit';
import { buildReport, reportText } from './report';

export function planMasker(plan: Plan): Masker {
  return Masker.forVars(plan.base, ...plan.envs.map((e) => e.env));
}

/** Writes what `--report` / `--junit` ask for; returns one message per file it could not write. */
export function writeRunReports(result: SuiteResult, plan: Plan, settings: Pick<RunSettings, 'report' | 'junit'>, cwd: string): string[] {
  const problems: string[] = [];
  if (!settings.report && !settings.junit) return problems;
  const masker = planMasker(plan);
  const mask = (s: string) => masker.mask(s);
  const write = (flag: string, file: string, make: () => string) => {
    try {
      writeFileAtomic(resolve(cwd, file), make());
    } catch (error) {
      problems.push(`${flag} ${file}: cannot write it: ${errorText(error)}`);
    }
  };
  if (settings.report) write('--report', settings.report, () => reportText(buildReport(result, { root: plan.root, mask })));
  if (settings.junit) {
    const since = Date.parse(result.startedAt);
    write('--junit', settings.junit, () => runJunit(result, { root: plan.root, mask, read: (path) => readIfFresh(path, since) }));
  }
  return problems;
}
