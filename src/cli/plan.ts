// `esb-e2e plan`: the frozen plan as a table, as JSON, or as a GitHub Actions matrix; runs nothing.
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { createPlan } from '../plan/planner';
import { githubMatrix, planJson, planTable } from '../plan/view';
import { planOptions, selectionOptions, type SelectionFlags } from './flags';
import type { Io } from './io';

export type Action = () => Promise<number>;

/** The columns the plan fits in: COLUMNS, else the terminal's, else 100 (never under 40). */
function terminalWidth(io: Io): number {
  const fromEnv = Number(io.env.COLUMNS);
  const columns = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : ((io.stdout as { columns?: number }).columns ?? 100);
  return Math.max(40, columns);
}

export function addPlan(program: Command, io: Io, pytestArgs: readonly string[], setAction: (action: Action) => void): void {
  selectionOptions(program.command('plan').description('print the plan (envs, suites, ports, logs); run nothing'))
    .option('--json', 'print the plan as JSON')
    .option('--github-matrix', 'print {"include":[{"env":...}]} for a GitHub Actions matrix')
    .allowExcessArguments(false)
    .action((flags: SelectionFlags & { json?: boolean; githubMatrix?: boolean }) =>
      setAction(async () => {
        if (flags.json && flags.githubMatrix) throw new UsageError('--json and --github-matrix cannot be used together');
        if (pytestArgs.length) throw new UsageError('plan takes no pytest arguments after --');
        const plan = createPlan(planOptions(flags, pytestArgs), io.context(io.cwd, io.env));
        io.stdout.write(flags.json ? planJson(plan) : flags.githubMatrix ? githubMatrix(plan) : planTable(plan, terminalWidth(io)));
        return 0;
      }),
    );
}
