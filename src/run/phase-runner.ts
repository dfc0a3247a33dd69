// One phase of one env: its start and end as events and log markers, its timeout (the
// phase's signal aborts, which kills its commands' process groups), a heartbeat while it
// runs, and its outcome as a PhaseResult. A phase that passed has its log lines on disk.
import type { EventBus, PhaseId, PhaseResult, Status } from '../events';
import { clock, duration, seconds } from '../format';
import type { PhaseOutcome } from '../phases/context';
import type { RunnerDeps } from './deps';
import type { EnvLog } from './env-log';

export interface PhaseRun {
  readonly result: PhaseResult;
  readonly outcome: PhaseOutcome;
}

export class PhaseRunner {
  constructor(
    private readonly env: string,
    private readonly log: EnvLog,
    private readonly bus: EventBus,
    private readonly deps: Pick<RunnerDeps, 'now' | 'heartbeatMs'>,
    private readonly mask: (text: string) => string = (text) => text,
  ) {}

  async run(phase: PhaseId, timeoutS: number, parent: AbortSignal, body: (signal: AbortSignal) => Promise<PhaseOutcome>): Promise<PhaseRun> {
    const t0 = this.deps.now();
    this.bus.emit({ type: 'phase_start', env: this.env, phase });
    this.log.line(`[${clock(new Date(t0))}] ==> ${phase}`);
    const limit = new Limit(parent, timeoutS * 1000, () => this.bus.emit({ type: 'heartbeat', env: this.env, phase, elapsedMs: this.deps.now() - t0 }), this.deps.heartbeatMs);
    let outcome: PhaseOutcome;
    try {
      outcome = await body(limit.signal);
    } catch (e) {
      outcome = { ok: false, reason: e instanceof Error ? e.message : String(e) };
    } finally {
      limit.dispose();
    }
    outcome = await this.logged(outcome);
    const { status, error } = this.verdict(outcome, limit.timedOut, parent.aborted, timeoutS);
    const durationMs = this.deps.now() - t0;
    this.log.line(`[${clock(new Date(this.deps.now()))}] <== ${phase} ${status} (${duration(durationMs)})${error ? `: ${this.mask(error)}` : ''}`);
    this.bus.emit({ type: 'phase_end', env: this.env, phase, status, durationMs, ...(error ? { error } : {}) });
    return { result: { name: phase, status, durationMs, error }, outcome };
  }

  /** A phase passes only once its lines are in the log: a write still in flight may be the one that fails. */
  private async logged(outcome: PhaseOutcome): Promise<PhaseOutcome> {
    if (!outcome.ok) return outcome;
    await this.log.drained();
    const error = this.log.error;
    return error ? { ok: false, reason: `cannot write its log ${this.log.path}: ${error.code ?? error.message}`, binding: outcome.binding } : outcome;
  }

  private verdict(outcome: PhaseOutcome, timedOut: boolean, cancelled: boolean, timeoutS: number): { status: Status; error: string | null } {
    if (timedOut) return { status: 'failed', error: `timed out after ${seconds(timeoutS * 1000)}` };
    if (outcome.ok) return { status: 'passed', error: null };
    return cancelled ? { status: 'cancelled', error: 'cancelled' } : { status: 'failed', error: outcome.reason };
  }
}

/** A signal that aborts with its parent or at the deadline, and a heartbeat until disposed. */
class Limit {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  timedOut = false;
  private readonly timer: NodeJS.Timeout;
  private readonly beat: NodeJS.Timeout;
  private readonly onParent = () => this.controller.abort();

  constructor(
    private readonly parent: AbortSignal,
    timeoutMs: number,
    heartbeat: () => void,
    heartbeatMs: number,
  ) {
    parent.addEventListener('abort', this.onParent, { once: true });
    if (parent.aborted) this.controller.abort();
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    this.beat = setInterval(heartbeat, heartbeatMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.beat);
    this.parent.removeEventListener('abort', this.onParent);
  }
}
