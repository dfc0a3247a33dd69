// `esb-e2e run`: its flags mapped onto the core's RunOptions and ReportOptions, the plan
// made, and the runner (loaded only now) handed both.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors';
import { createPlan } from '../plan/planner';
import type { Color } from '../report/color';
import { nonEmpty, planOptions, selectionOptions, type SelectionFlags } from './flags';
import type { Io, RunRequest } from './io';
import type { Action } from './plan';

interface RunFlags extends SelectionFlags {
  verbose?: boolean;
  failFast?: boolean;
  build?: boolean;
  cache?: boolean;
  cleanup?: boolean;
  keepFailed?: boolean;
  report?: string;
  junit?: string;
  reporter: 'plain' | 'jsonl';
  color: Color;
  unit?: boolean;
  unitOnly?: boolean;
}

export function addRun(program: Command, io: Io, pytestArgs: readonly string[], setAction: (action: Action) => void): void {
  selectionOptions(program.command('run').description('run every selected env: reset -> compose up -> deploy -> pytest'))
    .option('--no-verbose', 'print only phase markers and test progress')
    .addOption(new Option('--verbose', 'print every line the tools print (default)').hideHelp())
    .option('--fail-fast', 'cancel every other env at the first failure')
    .option('--build', 'compose up --build')
    .option('--no-cache', 'pass --no-cache to esb deploy')
    .option('--cleanup', 'compose down --volumes after each env, whatever its result')
    .option('--keep-failed', 'with --cleanup: keep failed envs up for inspection')
    .option('--report <file.json>', 'write a JSON report', nonEmpty)
    .option('--junit <file.xml>', 'write a merged JUnit XML report', nonEmpty)
    .addOption(new Option('--reporter <format>', 'console format').choices(['plain', 'jsonl']).default('plain'))
    .addOption(new Option('--color <when>', 'colour the [env] prefixes').choices(['auto', 'always', 'never']).default('auto'))
    .addOption(new Option('--unit').hideHelp())
    .addOption(new Option('--unit-only').hideHelp())
    .allowExcessArguments(false)
    .action((flags: RunFlags) =>
      setAction(async () => {
        const request = runRequest(flags);
        const plan = createPlan(planOptions(flags, pytestArgs), io.context(io.cwd, io.env));
        if (!io.run) throw new Error('no runner wired');
        return io.run(plan, request, io);
      }),
    );
}

/** The run's flags as the core's options; conflicts are usage errors. */
function runRequest(flags: RunFlags): RunRequest {
  if (flags.unit || flags.unitOnly) {
    throw new UsageError(
      `${flags.unitOnly ? '--unit-only' : '--unit'} is not supported: esb-e2e runs E2E tests only. Run unit tests with your project's own test command (for ESB: \`uv run pytest\` in the service folder, \`go test ./...\` in cli/), then \`esb-e2e run\`.`,
    );
  }
  if (flags.keepFailed && !flags.cleanup) throw new UsageError('--keep-failed only applies with --cleanup');
  return {
    verbose: flags.verbose !== false,
    failFast: !!flags.failFast,
    build: !!flags.build,
    noCache: flags.cache === false,
    cleanup: !!flags.cleanup,
    keepFailed: !!flags.keepFailed,
    reporter: flags.reporter,
    color: flags.color,
    report: flags.report,
    junit: flags.junit,
  };
}
