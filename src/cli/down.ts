// `esb-e2e down`: stop and remove what runs left, for the selected envs (and the shared
// registry when no --env narrows it), found from the matrix and the engine alone.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors';
import { createPlan } from '../plan/planner';
import { collect, esbOption, nonEmpty, parseSet } from './flags';
import type { Io } from './io';
import type { Action } from './plan';

interface DownFlags {
  matrix?: string;
  env?: string[];
  profile?: string[];
  set?: Record<string, string>;
  esb?: 'legacy' | 'current';
}

export function addDown(program: Command, io: Io, pytestArgs: readonly string[], setAction: (action: Action) => void): void {
  program
    .command('down')
    .description('stop and remove what runs left (compose projects of the envs, the shared registry); safe to repeat')
    .option('--matrix <file>', 'matrix file (default: e2e-matrix.yaml, else e2e/environments/test_matrix.yaml)', nonEmpty)
    .option('--env <name...>', 'only these envs (the registry stays up)', collect)
    .addOption(new Option('--profile <name...>', 'alias of --env').argParser(collect).hideHelp())
    .option('--set <KEY=VALUE>', 'env override, as given to run', parseSet)
    .addOption(esbOption())
    .allowExcessArguments(false)
    .action((flags: DownFlags) =>
      setAction(async () => {
        if (pytestArgs.length) throw new UsageError('down takes no arguments after --');
        const envs = [...(flags.env ?? []), ...(flags.profile ?? [])];
        const plan = createPlan({ matrix: flags.matrix, envs: envs.length ? envs : undefined, set: flags.set ?? {}, esb: flags.esb, takingDown: true }, io.context(io.cwd, io.env));
        if (!io.down) throw new Error('no runner wired');
        return io.down(plan, io, envs.length === 0);
      }),
    );
}
