// `esb-e2e run`: its flags mapped onto the core's RunOptions and ReportOptions, the plan
// made, and the runner (loaded only now) handed both.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors';
import { display } from '../format';
import { assertProxyLayout, createPlan } from '../plan/planner';
import type { Plan } from '../plan/types';
import { failedIn, readLastRun } from '../run/last-run';
import type { Color } from '../report/color';
import { nonEmpty, planOptions, selectionOptions, type SelectionFlags } from './flags';
import type { Io, RunRequest } from './io';
import type { Action } from './plan';

interface RunFlags extends SelectionFlags {
  verbose?: boolean;
  failFast?: boolean;
  failed?: boolean;
  build?: boolean;
  cache?: boolean;
  cleanup?: boolean;
  keepFailed?: boolean;
  report?: string;
  junit?: string;
  html?: string;
  reporter: 'plain' | 'jsonl';
  live?: boolean;
  color: Color | false;
  emoji?: boolean;
  unit?: boolean;
  unitOnly?: boolean;
  withProxy?: boolean;
}

export function addRun(program: Command, io: Io, pytestArgs: readonly string[], setAction: (action: Action) => void): void {
  selectionOptions(program.command('run').description('run every selected env: reset -> compose up -> deploy -> pytest'))
    .option('--no-verbose', 'a live view on a terminal; elsewhere phase markers, progress and failures only')
    .addOption(new Option('--verbose', 'print every line the tools print (default)').hideHelp())
    .option('--fail-fast', 'cancel every other env at the first failure')
    .option('--failed', 'run only the envs that failed or were cancelled in the last run (of this log dir)')
    .option('--build', 'compose up --build')
    .option('--no-cache', 'pass --no-cache to esb deploy')
    .option('--cleanup', 'compose down --volumes after each env, whatever its result')
    .option('--keep-failed', 'with --cleanup: keep failed envs up for inspection')
    .option('--report <file.json>', 'write a JSON report', nonEmpty)
    .option('--junit <file.xml>', 'write a merged JUnit XML report', nonEmpty)
    .option('--html <file.html>', 'write a self-contained HTML report: timeline, results, failure tails', nonEmpty)
    .addOption(new Option('--reporter <format>', 'console format').choices(['plain', 'jsonl']).default('plain'))
    .addOption(new Option('--color <when>', 'colour the [env] prefixes').choices(['auto', 'always', 'never']).default('auto'))
    .option('--no-color', 'same as --color never')
    .option('--no-live', 'on a terminal with --no-verbose: the plain [env] lines instead of the live view')
    .option('--with-proxy', "ESB's current layout: every phase through a local proxy (proxy.py, port 18888), proven before any env")
    .option('--emoji', "accepted for ESB's runner's command lines; no effect")
    .option('--no-emoji', "accepted for ESB's runner's command lines; no effect")
    .addOption(new Option('--unit').hideHelp())
    .addOption(new Option('--unit-only').hideHelp())
    .allowExcessArguments(false)
    .addHelpText('after', RUN_HELP)
    .action((flags: RunFlags) =>
      setAction(async () => {
        const request = runRequest(flags);
        const options = planOptions(flags, pytestArgs);
        const context = io.context(io.cwd, io.env);
        const rerun = flags.failed ? failedEnvs(createPlan(options, context), io) : undefined;
        if (rerun?.length === 0) return 0;
        const chosen = rerun ? { ...options, envs: rerun } : options;
        let plan = createPlan(chosen, context);
        if (flags.withProxy) {
          assertProxyLayout(plan.generation);
          if (!io.proxyHost) throw new Error('no proxy host wired');
          plan = createPlan({ ...chosen, proxyHost: await io.proxyHost(io.env, io.cwd) }, context);
        }
        if (!io.run) throw new Error('no runner wired');
        return io.run(plan, request, io);
      }),
    );
}

const RUN_HELP = `
pytest arguments: everything after \`--\` goes to every env's pytest, as is:
  esb-e2e run -- -k gateway -x

Exit codes:
  0    every env passed
  1    an env failed or was cancelled, or a report file could not be written
  2    bad input: flags, matrix, env files, output paths (nothing was started)
  70   an internal error (a bug)
  129  SIGHUP, 130 SIGINT (Ctrl-C), 143 SIGTERM

Examples:
  esb-e2e run                                   every env of the matrix, all at once
  esb-e2e run --env e2e-docker --no-verbose     one env, phase markers and progress only
  esb-e2e run --fail-fast --report e2e/report.json --junit e2e/junit.xml -- -x
                                                stop at the first failure; files for CI
`;

/** `--failed`: the selected envs that did not pass in the log dir's last run; [] (said why) when none. */
function failedEnvs(selected: Plan, io: Io): string[] {
  const last = readLastRun(selected.logDir);
  const shown = display(selected.root, selected.logDir);
  if (!last) {
    io.stderr.write(`esb-e2e: nothing to re-run: no earlier run in ${shown}\n`);
    return [];
  }
  const failed = new Set(failedIn(last));
  const envs = selected.envs.map((e) => e.name).filter((name) => failed.has(name));
  if (envs.length === 0) io.stderr.write(`esb-e2e: nothing to re-run: every env passed in the last run (${last.runId}, ${last.startedAt})\n`);
  else io.stderr.write(`esb-e2e: re-running what did not pass in the last run (${last.runId}): ${envs.join(', ')}\n`);
  return envs;
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
    live: flags.live !== false,
    color: flags.color === false ? 'never' : flags.color,
    report: flags.report,
    junit: flags.junit,
    html: flags.html,
  };
}
