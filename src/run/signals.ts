// Behaviour: signals during a run. The first SIGINT, SIGTERM or SIGHUP (a closed terminal,
// a dropped SSH session) cancels it (nothing new starts, running envs are cancelled and
// taken down, logs are flushed, the summary is printed); a second one ends everything at
// once. Only this module touches signals.
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;
const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface SignalSource {
  on(signal: StopSignal, handler: () => void): void;
  off(signal: StopSignal, handler: () => void): void;
}

export class SignalGuard {
  /** The signal that stopped the run, once one came. */
  stoppedBy: StopSignal | null = null;
  private readonly handlers: (readonly [StopSignal, () => void])[];

  constructor(
    private readonly source: SignalSource,
    private readonly say: (line: string) => void,
    /** First signal: cancel the run. */
    private readonly cancel: () => void,
    /** Second signal: stop at once (never returns to the run). */
    private readonly stopNow: (signal: StopSignal) => void,
  ) {
    this.handlers = SIGNALS.map((sig) => [sig, () => this.on(sig)] as const);
    for (const [sig, handler] of this.handlers) source.on(sig, handler);
  }

  private on(sig: StopSignal): void {
    if (this.stoppedBy) {
      this.stopNow(sig);
      return;
    }
    this.stoppedBy = sig;
    this.say(`esb-e2e: ${sig}: stopping (cancelling running envs; press Ctrl-C again to stop at once)\n`);
    this.cancel();
  }

  dispose(): void {
    for (const [sig, handler] of this.handlers) this.source.off(sig, handler);
  }
}
