// What a phase gets from the runner: the env's plan, its variables as a frozen binding,
// and a way to run a command (logged as `$ ...`, its lines streamed to the env's log and
// the reporters, killed with the phase on timeout or cancel). Phases are plain async
// functions over this; one that learns new ports returns a new binding in its outcome.
import type { TestCounts } from '../events';
import type { Vars } from '../plan/env';
import type { Binding } from '../plan/bind';
import type { EnvPlan, Plan } from '../plan/types';
import type { DockerApi } from '../io/docker-api';
import type { ExecResult } from '../exec';
import type { WaitResult } from '../io/wait';
import type { ComposeCli } from './compose-cli';

export interface RunOpts {
  /** Extra variables for this command only (deploy's ESB_META_REUSE, pytest's URLs). */
  readonly env?: Readonly<Vars>;
  readonly capture?: boolean;
  /** The setting that names this program, for "not found". */
  readonly setting?: string;
  /** Don't print this command's lines on the console (still logged). */
  readonly quiet?: boolean;
  /** Sees every line too (pytest's progress): a chunk's lines, and them joined by LF. */
  readonly onLines?: (lines: readonly string[], text: string) => void;
}

/** What the command line says about how phases run. */
export interface PhaseOptions {
  readonly verbose: boolean;
  readonly build: boolean;
  readonly noCache: boolean;
}

export interface PhaseContext {
  readonly plan: Plan;
  readonly env: EnvPlan;
  readonly options: PhaseOptions;
  readonly compose: ComposeCli;
  readonly signal: AbortSignal;
  /** The env's variables now (planned, moved or discovered ports applied); `run` uses them. */
  readonly binding: Binding;
  /** The same context with another binding (after ports were discovered). */
  rebind(binding: Binding): PhaseContext;
  /** The env's engine over its socket for read-only questions; null: ask the docker CLI. */
  engine(): Promise<DockerApi | null>;
  run(argv: readonly string[], opts?: RunOpts): Promise<ExecResult>;
  /** A line of our own, to the log and (verbose) the console. */
  note(line: string): void;
  /** A line of our own to the log only. */
  trace(line: string): void;
  /** Tests run so far: pytest's progress and counts. */
  progress(current: number, counts: TestCounts): void;
  /** Runs `work` once per run under `key`, whichever env asks first; the others get its outcome. */
  once(key: string, work: () => Promise<PhaseOutcome>): Promise<PhaseOutcome>;
  wait(url: string, timeoutMs: number): Promise<WaitResult>;
  /** Secret values of this env replaced by ***. */
  mask(text: string): string;
}

export type PhaseOutcome =
  | { readonly ok: true; readonly binding?: Binding }
  | { readonly ok: false; readonly reason: string; readonly cancelled?: boolean; readonly binding?: Binding };

export const OK: PhaseOutcome = { ok: true };

/**
 * The answer of the env's engine API, or undefined when there is none or it failed (the
 * failure is logged): the caller then asks the docker CLI, which reports its own errors.
 */
export async function askEngine<T>(ctx: PhaseContext, ask: (api: DockerApi) => Promise<T>): Promise<T | undefined> {
  const api = await ctx.engine();
  if (!api) return undefined;
  try {
    return await ask(api);
  } catch (e) {
    if (!ctx.signal.aborted) ctx.trace(`${(e as Error).message}: asking the docker CLI instead`);
    return undefined;
  }
}

/** A failed command as a phase outcome; `what` says which step, e.g. "compose up". */
export function failed(result: ExecResult, what: string): PhaseOutcome {
  if (result.cancelled) return { ok: false, reason: 'cancelled', cancelled: true };
  if (result.notFound || result.timedOut) return { ok: false, reason: result.reason ?? `${what} failed` };
  return { ok: false, reason: `${what}: ${result.reason ?? 'failed'}` };
}

/** Cancelled, as a phase outcome. */
export const CANCELLED: PhaseOutcome = { ok: false, reason: 'cancelled', cancelled: true };
