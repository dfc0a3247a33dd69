// What runs before any env (the `[infra]` scope): each command logged as `$ ...` in
// `.parallel-infra.log` and shown as an event, its lines masked, streamed to both.
import type { EventBus } from '../events';
import type { ExecResult } from '../exec';
import { quoteArgv } from '../format';
import { LogFile } from '../io/log-file';
import { Masker } from '../mask';
import type { Vars } from '../plan/env';
import type { Plan } from '../plan/types';
import type { RunnerDeps } from './deps';

export interface InfraRun {
  readonly timeoutMs: number;
  readonly env?: Readonly<Vars>;
  readonly capture?: boolean;
  readonly setting?: string;
  /** Sees the lines the command prints (stdout and stderr), masked, as they come. */
  readonly seen?: (lines: readonly string[]) => void;
}

export class InfraSession {
  /** Variables every later command gets too (the current layout's CTL_BIN_RESOLVED). */
  private inherited: Readonly<Vars> = {};

  private constructor(
    private readonly plan: Plan,
    private readonly bus: EventBus,
    readonly deps: RunnerDeps,
    readonly signal: AbortSignal,
    private readonly log: LogFile | undefined,
    private readonly masker: Masker,
  ) {}

  /** A log that cannot be opened is not a failure of the run: the lines still reach the console. */
  static async open(plan: Plan, bus: EventBus, deps: RunnerDeps, signal: AbortSignal): Promise<InfraSession> {
    const log = await LogFile.open(`${plan.logDir}/.parallel-infra.log`).catch(() => undefined);
    return new InfraSession(plan, bus, deps, signal, log, Masker.forVars(plan.base));
  }

  run(argv: readonly string[], opts: InfraRun): Promise<ExecResult> {
    const shown = this.masker.mask(quoteArgv(argv));
    this.log?.line(`$ ${shown}`);
    this.bus.emit({ type: 'command', env: 'infra', phase: 'compose', command: shown });
    return this.deps.exec(
      { argv, env: { ...this.plan.base, ...this.inherited, ...opts.env }, cwd: this.plan.root, ...(opts.setting ? { setting: opts.setting } : {}) },
      {
        signal: this.signal,
        capture: opts.capture ?? false,
        timeoutMs: Math.max(1, opts.timeoutMs),
        onLines: (lines, raw, ascii) => {
          const masked = this.masker.maskChunk(lines, raw);
          opts.seen?.(masked.lines);
          this.log?.write(masked.text, ascii);
          this.bus.emit({ type: 'output', env: 'infra', phase: 'compose', lines: masked.lines, ascii });
        },
      },
    );
  }

  inherit(vars: Readonly<Vars>): void {
    this.inherited = { ...this.inherited, ...vars };
  }

  /** A line of esb-e2e's own, to the log and the console. */
  note(text: string): void {
    const shown = this.masker.mask(text);
    this.log?.line(`# ${shown}`);
    this.bus.emit({ type: 'output', env: 'infra', phase: 'compose', lines: [`# ${shown}`] });
  }

  /** A note every reporter shows (verbose or not), and the log keeps. */
  warn(text: string): void {
    const shown = this.masker.mask(text);
    this.log?.line(`# ${shown}`);
    this.bus.emit({ type: 'notice', scope: 'infra', message: shown });
  }

  registryReady(url: string, durationMs: number): void {
    this.bus.emit({ type: 'registry_ready', url, durationMs });
  }

  /** A line to the log only. */
  trace(text: string): void {
    this.log?.line(this.masker.mask(text));
  }

  close(): Promise<void> {
    return this.log?.close() ?? Promise.resolve();
  }
}
