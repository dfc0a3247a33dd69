// Flag values and the selection flags `run` and `plan` share: parsed and checked here
// (each bad value names its flag), then mapped onto the planner's own PlanOptions.
import { Command, InvalidArgumentError, Option } from 'commander';
import { GENERATIONS, type GenerationName } from '../esb/generation';
import { UsageError } from '../errors';
import type { Vars } from '../plan/env';
import { MAX_TIMEOUT_SECONDS, PHASES, type PhaseName, type Timeouts } from '../plan/phases';
import type { PlanOptions, Shard } from '../plan/types';

/** A repeatable, comma-separated list of names; an empty one is an error, not "all". */
export function collect(value: string, previous: string[] = []): string[] {
  const names = value.split(',').map((v) => v.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected names separated by commas (got ${JSON.stringify(value)})`);
  return [...previous, ...names];
}

/** A path or name that must be given: an empty one is an error, never "unset". */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

/** More envs at once than this is a typo, not a plan. */
const MAX_JOBS = 1000;
const MAX_SHARDS = 1000;

function parseJobs(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > MAX_JOBS) {
    throw new InvalidArgumentError(`expected a whole number of environments, 1 or more (at most ${MAX_JOBS}) (got "${value}")`);
  }
  return Number(value);
}

function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected <i>/<n>, like 1/3 (got "${value}")`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count > MAX_SHARDS) throw new InvalidArgumentError(`at most ${MAX_SHARDS} shards (got "${value}")`);
  if (count < 1 || index < 1 || index > count) {
    const n = Math.max(count, 1);
    throw new InvalidArgumentError(`shard ${index} of ${count} does not exist (use 1/${n} to ${n}/${n})`);
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
  if (seconds > MAX_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(`${phase}: at most ${MAX_TIMEOUT_SECONDS} seconds, about 24 days (got "${m[2]}")`);
  }
  return { ...previous, [phase]: seconds };
}

export function parseSet(value: string, previous: Vars = {}): Vars {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected KEY=VALUE (got "${value}")`);
  const key = value.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InvalidArgumentError(`"${key}" is not a variable name`);
  return { ...previous, [key]: value.slice(eq + 1) };
}

export function selectionOptions(cmd: Command): Command {
  return cmd
    .option('--matrix <file>', 'matrix file (default: e2e-matrix.yaml, else e2e/environments/test_matrix.yaml)', nonEmpty)
    .option('--env <name...>', 'only these envs (repeatable or comma-separated)', collect)
    .addOption(new Option('--profile <name...>', 'alias of --env (run_tests.py)').argParser(collect).hideHelp())
    .option('--suite <name...>', 'only these suites', collect)
    .option('--shard <i/n>', 'only the envs of shard i of n (sorted names, round-robin)', parseShard)
    .option('--test-target <path>', 'run pytest on this target only (needs exactly one env)', nonEmpty)
    .option('--build-only', 'stop after deploy (skip test)')
    .option('--test-only', 'skip reset, compose and deploy; test what is up')
    .option('-j, --jobs <n>', 'max environments at once (default: all selected)', parseJobs)
    .addOption(new Option('--parallel', 'accepted for run_tests.py compatibility (same as the default)').hideHelp())
    .option('--timeout <phase=seconds>', 'override a phase timeout (repeatable)', parseTimeout)
    .option('--log-dir <dir>', 'where logs go (default: e2e)', nonEmpty)
    .option('--set <KEY=VALUE>', 'env override for every env (repeatable, highest precedence)', parseSet)
    .addOption(esbOption());
}

/** `--esb legacy|current`: the ESB layout the matrix is for, whatever its entries suggest. */
export const esbOption = () =>
  new Option('--esb <layout>', 'the ESB layout the matrix is for (default: told from the matrix: artifact_manifest means current)').choices(GENERATIONS);

export interface SelectionFlags {
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
  esb?: GenerationName;
}

export function planOptions(flags: SelectionFlags, pytestArgs: readonly string[]): PlanOptions {
  if (flags.buildOnly && flags.testOnly) throw new UsageError('--build-only and --test-only cannot be used together');
  // With --test-only it tests that target against what is up, as ESB's runner does.
  if (flags.testTarget !== undefined && flags.buildOnly) throw new UsageError('--test-target cannot be used with --build-only');
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
    esb: flags.esb,
    pytestArgs,
  };
}
