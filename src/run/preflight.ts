// Before anything starts (exit 2, nothing run): every file the run will write may be
// written (no symlink, device, FIFO or folder at its path, no file where a folder of it
// should be, no two outputs at one path), and what reset will wipe lies, by its real path
// (links resolved), inside the project root or the ESB cache, with the log dir outside it.
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { homeDirs, isInside, stateRoots } from '../esb/layout';
import { display } from '../format';
import { outputProblem, realPath } from '../io/files';
import type { Plan } from '../plan/types';
import { LAST_RUN_FILE } from './last-run';
import type { ReportOptions, RunIo } from './options';

interface Output {
  readonly what: string;
  readonly path: string;
}

export function preflight(plan: Plan, options: Pick<ReportOptions, 'report' | 'junit' | 'html'>, io: Pick<RunIo, 'cwd' | 'env'>): void {
  const problems = [...outputProblems(outputsOf(plan, options, io)), ...stateDirProblems(plan)];
  if (problems.length) throw new ConfigError(problems.join('\n'));
}

/** Every file the run writes, named as a message would. */
function outputsOf(plan: Plan, options: Pick<ReportOptions, 'report' | 'junit' | 'html'>, io: Pick<RunIo, 'cwd' | 'env'>): Output[] {
  const outputs: Output[] = [];
  if (options.report) outputs.push({ what: `--report ${options.report}`, path: resolve(io.cwd, options.report) });
  if (options.junit) outputs.push({ what: `--junit ${options.junit}`, path: resolve(io.cwd, options.junit) });
  if (options.html) outputs.push({ what: `--html ${options.html}`, path: resolve(io.cwd, options.html) });
  const summary = io.env.GITHUB_ACTIONS === 'true' ? io.env.GITHUB_STEP_SUMMARY : undefined;
  if (summary) outputs.push({ what: `GITHUB_STEP_SUMMARY ${summary}`, path: resolve(io.cwd, summary) });
  for (const env of plan.envs) {
    for (const path of [env.log, env.composeLog, env.junit]) outputs.push({ what: `env "${env.name}"'s ${display(plan.root, path)}`, path });
  }
  if (plan.infra) outputs.push({ what: `the registry's log`, path: join(plan.logDir, '.parallel-infra.log') });
  outputs.push({ what: 'the last run\'s record', path: join(plan.logDir, LAST_RUN_FILE) });
  return outputs;
}

function outputProblems(outputs: readonly Output[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const out of outputs) {
    const problem = outputProblem(out.path);
    if (problem) problems.push(`${out.what}: ${problem}`);
    const key = realPath(out.path);
    const other = seen.get(key);
    if (other) problems.push(`${other} and ${out.what} are one file: give each its own path`);
    else seen.set(key, out.what);
  }
  return problems;
}

/** Reset wipes only inside the roots, by real paths; and never the log dir. */
function stateDirProblems(plan: Plan): string[] {
  if (plan.envs.every((e) => e.phases.reset === 'skip')) return [];
  const roots = stateRoots(plan.root, homeDirs(plan.base)).map(realPath);
  const logDir = realPath(plan.logDir);
  const problems: string[] = [];
  for (const env of plan.envs) {
    for (const dir of env.stateDirs) {
      const real = realPath(dir);
      if (!isInside(real, roots)) {
        problems.push(`env "${env.name}": its state dir ${dir} is ${real} once links are followed, outside the project root and the ESB cache; reset will not wipe it (remove the link)`);
      } else if (real === logDir || isInside(logDir, [real])) {
        problems.push(`--log-dir ${display(plan.root, plan.logDir)} is inside env "${env.name}"'s state dir ${dir}, which reset wipes: give the logs another folder`);
      }
    }
  }
  return problems;
}
