// When each env's phases ran, as offsets from the suite's start: the data behind the
// Mermaid gantt of a step summary and the timeline of the HTML report. Fed from the event
// stream, timed by its own (injectable) clock; pure data, no I/O.
import type { PhaseId, RunEvent, Status } from '../events';

export interface TimelineBar {
  env: string;
  phase: PhaseId;
  /** Milliseconds from `suite_start`. */
  startMs: number;
  endMs: number;
  status: Status;
}

interface Slot {
  env: string;
  phase: PhaseId;
  startMs: number;
  end: { ms: number; status: Status } | undefined;
}

export class Timeline {
  /** The clock's reading at `suite_start` (or at the first event, should that never come). */
  private origin: number | undefined;
  /** Every bar, open or closed, in the order its phase started. */
  private readonly slots: Slot[] = [];
  private readonly open = new Map<string, Slot>();
  private suiteMs: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'suite_start':
        this.origin = this.now();
        return;
      case 'phase_start':
        this.start(e.env, e.phase);
        return;
      case 'phase_end':
        this.end(e.env, e.phase, e.status, e.durationMs);
        return;
      case 'env_end':
        this.cancelOpen((slot) => slot.env === e.env);
        return;
      case 'suite_end':
        this.cancelOpen(() => true);
        this.suiteMs = Math.max(0, e.result.durationMs);
        return;
      default:
        // phase_skip and the rest: nothing ran, or nothing that has a place on a timeline.
        return;
    }
  }

  /** The closed bars, in the order their phases started; a phase still running is not one yet. */
  bars(): TimelineBar[] {
    return this.slots.flatMap((s) => (s.end ? [{ env: s.env, phase: s.phase, startMs: s.startMs, endMs: s.end.ms, status: s.end.status }] : []));
  }

  /** How long the timeline is: to the end of its last bar, or the suite's duration when that is longer. */
  spanMs(): number {
    const last = Math.max(0, ...this.bars().map((b) => b.endMs));
    return this.suiteMs === undefined ? last : Math.max(last, this.suiteMs);
  }

  private offset(): number {
    const t = this.now();
    this.origin ??= t;
    // A clock that steps back (Date.now under NTP) must not put a bar before the start.
    return Math.max(0, t - this.origin);
  }

  private start(env: string, phase: PhaseId): void {
    const startMs = this.offset();
    // The same phase started again before it ended: the first run of it was given up.
    const stale = this.open.get(key(env, phase));
    if (stale) stale.end = { ms: Math.max(stale.startMs, startMs), status: 'cancelled' };
    const slot: Slot = { env, phase, startMs, end: undefined };
    this.slots.push(slot);
    this.open.set(key(env, phase), slot);
  }

  private end(env: string, phase: PhaseId, status: Status, durationMs: number): void {
    const at = this.offset();
    const slot = this.open.get(key(env, phase));
    if (slot) {
      this.open.delete(key(env, phase));
      slot.end = { ms: Math.max(slot.startMs, at), status };
      return;
    }
    // An end with no start: a phase failed before it could run (the run's setup failed);
    // it still belongs on the timeline, where its own duration puts it.
    this.slots.push({ env, phase, startMs: Math.max(0, at - Math.max(0, durationMs)), end: { ms: at, status } });
  }

  private cancelOpen(which: (slot: Slot) => boolean): void {
    const at = this.offset();
    for (const [k, slot] of this.open) {
      if (!which(slot)) continue;
      slot.end = { ms: Math.max(slot.startMs, at), status: 'cancelled' };
      this.open.delete(k);
    }
  }
}

function key(env: string, phase: PhaseId): string {
  return `${phase}\u0000${env}`;
}
