// Commander wiring only: flags -> options, errors -> exit codes. process.env arrives here
// once, as `io.env`, and is passed on as data; nothing here runs a process.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, UsageError } from './errors';
import { PHASES, type PhaseName, type Timeouts } from './matrix';
import { createPlan, type PlanContext, type PlanOptions, type Shard } from './planner';
import { githubMatrix, planJson, planTable } from './plan-view';
import type { Vars } from './env';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export interface Io {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Builds the planning context (reader, randomness, time, git sha). */
  readonly context: (root: string, env: Io['env']) => PlanContext;
  /** Runs a plan; returns the exit code. Kept behind a seam so `plan` never loads the runner. */
  readonly run?: (plan: import('./planner').Plan, settings: RunSettings, io: Io) => Promise<number>;
}

export type Color = 'auto' | 'always' | 'never';

export interface RunSettings {
  readonly verbose: boolean;
  readonly failFast: boolean;
  readonly build: boolean;
  readonly noCache: boolean;
  readonly cleanup: boolean;
  readonly keepFailed: boolean;
  readonly reporter: 'plain' | 'jsonl';
  readonly color: Color;
  readonly report: string | undefined;
  readonly junit: string | undefined;
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

function parseJobs(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a whole number of environments, 1 or more (got "${value}")`);
  }
  return Number(value);
}

function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected <i>/<n>, like 1/3 (got "${value}")`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`shard ${index} of ${count} does not exist (use 1/${Math.max(count, 1)} to ${Math.max(count, 1)}/${Math.max(count, 1)})`);
  }
  return { index, count };
}

function parseTimeout(value: string, previous: Partial<Timeouts> = {}): Partial<Timeouts> {
  const m = /^([a-z]+)=(.*)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected <phase>=<seconds>, like test=1800 (got "${value}")`);
  const phase = m[1] as PhaseName;
  if (!PHASES.includes(phase)) throw new InvalidArgumentError(`unknown phase "${m[1]}" (known: ${PHASES.join(', ')})`);
  const seconds = Number(m[2]);
  if (m[2] === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`${phase}: expected a positive number of seconds (got "${m[2]}")`);
  }
  return { ...previous, [phase]: seconds };
}

function parseSet(value: string, previous: Vars = {}): Vars {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected KEY=VALUE (got "${value}")`);
  const key = value.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InvalidArgumentError(`"${key}" is not a variable name`);
  return { ...previous, [key]: value.slice(eq + 1) };
}

function selectionOptions(cmd: Command): Command {
  return cmd
    .option('--matrix <file>', 'matrix file (default: e2e-matrix.yaml, else e2e/environments/test_matrix.yaml)')
    .option('--env <name...>', 'only these envs (repeatable or comma-separated)', collect)
    .addOption(new Option('--profile <name...>', 'alias of --env (run_tests.py)').argParser(collect).hideHelp())
    .option('--suite <name...>', 'only these suites', collect)
    .option('--shard <i/n>', 'only the envs of shard i of n (sorted names, round-robin)', parseShard)
    .option('--test-target <path>', 'run pytest on this target only (needs exactly one env)')
    .option('--build-only', 'stop after deploy (skip test)')
    .option('--test-only', 'skip reset, compose and deploy; test what is up')
    .option('-j, --jobs <n>', 'max environments at once (default: all selected)', parseJobs)
    .addOption(new Option('--parallel', 'accepted for run_tests.py compatibility (same as the default)').hideHelp())
    .option('--timeout <phase=seconds>', 'override a phase timeout (repeatable)', parseTimeout)
    .option('--log-dir <dir>', 'where logs go (default: e2e)')
    .option('--set <KEY=VALUE>', 'env override for every env (repeatable, highest precedence)', parseSet);
}

interface SelectionFlags {
  matrix?: string;
  env?: string[];
  profile?: string[];
  suite?: string[];
  shard?: Shard;
  testTarget?: string;
  buildOnly?: boolean;
  testOnly?: boolean;
  jobs?: number;
  timeout?: Partial<Timeouts>;
  logDir?: string;
  set?: Vars;
}

function planOptions(flags: SelectionFlags, pytestArgs: readonly string[]): PlanOptions {
  if (flags.buildOnly && flags.testOnly) throw new UsageError('--build-only and --test-only cannot be used together');
  if (flags.testTarget !== undefined && (flags.buildOnly || flags.testOnly)) {
    throw new UsageError(`--test-target cannot be used with ${flags.buildOnly ? '--build-only' : '--test-only'}`);
  }
  const envs = [...(flags.env ?? []), ...(flags.profile ?? [])];
  return {
    matrix: flags.matrix,
    envs: envs.length ? envs : undefined,
    suites: flags.suite,
    shard: flags.shard,
    testTarget: flags.testTarget,
    buildOnly: !!flags.buildOnly,
    testOnly: !!flags.testOnly,
    jobs: flags.jobs,
    timeouts: flags.timeout ?? {},
    logDir: flags.logDir,
    set: flags.set ?? {},
    pytestArgs,
  };
}

/** Runs the CLI; resolves to the exit code. Never calls process.exit. */
export async function main(io: Io): Promise<number> {
  const argv = [...io.argv];
  const dashdash = argv.indexOf('--');
  const pytestArgs = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  let exitCode = 0;
  let action: (() => Promise<number>) | undefined;

  const program = new Command('esb-e2e')
    .description('Run the E2E tests of an ESB project: compose up -> esb deploy -> pytest, per environment, in parallel.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'esb-e2e: ')),
    });

  selectionOptions(program.command('plan').description('print the plan (envs, suites, ports, logs); run nothing'))
    .option('--json', 'print the plan as JSON')
    .option('--github-matrix', 'print {"include":[{"env":...}]} for a GitHub Actions matrix')
    .allowExcessArguments(false)
    .action((flags: SelectionFlags & { json?: boolean; githubMatrix?: boolean }) => {
      action = async () => {
        if (flags.json && flags.githubMatrix) throw new UsageError('--json and --github-matrix cannot be used together');
        if (pytestArgs.length) throw new UsageError('plan takes no pytest arguments after --');
        const plan = createPlan(planOptions(flags, pytestArgs), io.context(io.cwd, io.env));
        io.stdout.write(flags.json ? planJson(plan) : flags.githubMatrix ? githubMatrix(plan) : planTable(plan));
        return 0;
      };
    });

  selectionOptions(program.command('run').description('run every selected env: reset -> compose up -> deploy -> pytest'))
    .option('--no-verbose', 'print only phase markers and test progress')
    .addOption(new Option('--verbose', 'print every line the tools print (default)').hideHelp())
    .option('--fail-fast', 'cancel every other env at the first failure')
    .option('--build', 'compose up --build')
    .option('--no-cache', 'pass --no-cache to esb deploy')
    .option('--cleanup', 'compose down --volumes after each env, whatever its result')
    .option('--keep-failed', 'with --cleanup: keep failed envs up for inspection')
    .option('--report <file.json>', 'write a JSON report')
    .option('--junit <file.xml>', 'write a merged JUnit XML report')
    .addOption(new Option('--reporter <format>', 'console format').choices(['plain', 'jsonl']).default('plain'))
    .addOption(new Option('--color <when>', 'colour the [env] prefixes').choices(['auto', 'always', 'never']).default('auto'))
    .addOption(new Option('--unit').hideHelp())
    .addOption(new Option('--unit-only').hideHelp())
    .allowExcessArguments(false)
    .action((flags: SelectionFlags & Record<string, unknown>) => {
      action = async () => {
        if (flags.unit || flags.unitOnly) {
          throw new UsageError(
            `${flags.unitOnly ? '--unit-only' : '--unit'} is not supported: esb-e2e runs E2E tests only. Run unit tests with your project's own test command (for ESB: \`uv run pytest\` in the service folder, \`go test ./...\` in cli/), then \`esb-e2e run\`.`,
          );
        }
        if (flags.keepFailed && !flags.cleanup) throw new UsageError('--keep-failed only applies with --cleanup');
        const plan = createPlan(planOptions(flags, pytestArgs), io.context(io.cwd, io.env));
        if (!io.run) throw new Error('no runner wired');
        const settings: RunSettings = {
          verbose: flags.verbose !== false,
          failFast: !!flags.failFast,
          build: !!flags.build,
          noCache: flags.cache === false,
          cleanup: !!flags.cleanup,
          keepFailed: !!flags.keepFailed,
          reporter: flags.reporter as RunSettings['reporter'],
          color: flags.color as Color,
          report: flags.report as string | undefined,
          junit: flags.junit as string | undefined,
        };
        return io.run(plan, settings, io);
      };
    });

  const report = program.command('report').description('work with report files (report merge)');
  report
    .command('merge')
    .description('merge the --report JSON files and/or the --junit XML files of shards into one of each')
    .argument('<files...>', 'shard reports (.json) and/or shard JUnit files (.xml)')
    .option('--report <out.json>', 'write the merged JSON report here (inputs: the .json files)')
    .option('--junit <out.xml>', 'write the merged JUnit XML here (inputs: the .xml files)')
    .allowExcessArguments(false)
    .action((files: string[], flags: { report?: string; junit?: string }) => {
      action = async () => {
        if (pytestArgs.length) throw new UsageError('report merge takes no arguments after --');
        // Loaded here only: its XML parser and report schema are not needed to plan or run.
        const { reportMerge } = await import('./report/merge');
        return reportMerge(files, flags, io);
      };
    });

  try {
    await program.parseAsync(own, { from: 'user' });
    if (!action) {
      if (pytestArgs.length || own.length) throw new UsageError(`unknown command "${own[0] ?? '--'}" (known: run, plan, report)`);
      program.outputHelp({ error: true });
      return 2;
    }
    exitCode = await action();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // Help shown because something was missing (`esb-e2e report` without its subcommand) is an error.
      if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`esb-e2e: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  return exitCode;
}
