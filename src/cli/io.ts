// What the CLI gets from the executable's edge (main.ts): argv, the environment read once,
// the console, and the seams that load the heavy parts only when a command needs them.
import type { PlanContext, Plan } from '../plan/types';
import type { ReportOptions, RunIo, RunOptions } from '../run/options';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** Everything `run` is asked to do, in the core's own terms. */
export type RunRequest = RunOptions & ReportOptions;

export interface Io extends RunIo {
  readonly argv: readonly string[];
  /** Builds the planning context (reader, randomness, time, git sha). */
  readonly context: (root: string, env: Io['env']) => PlanContext;
  /** Runs a plan; returns the exit code. Kept behind a seam so `plan` never loads the runner. */
  readonly run?: (plan: Plan, options: RunRequest, io: Io) => Promise<number>;
  /** Takes down what runs of the plan's envs left (and the registry when `everyEnv`). */
  readonly down?: (plan: Plan, io: Io, everyEnv: boolean) => Promise<number>;
  /** --with-proxy: the host the proxy listens on for containers (asks the engine). */
  readonly proxyHost?: (env: Io['env'], cwd: string) => Promise<string>;
}
