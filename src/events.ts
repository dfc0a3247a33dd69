// The typed event stream of a run. The runner emits; reporters (console formats, report
// files) only consume. A reporter whose output is backed up exposes `pressure()`, which
// the runner awaits before reading more of a child's output: backpressure end to end.
import type { PhaseName } from './plan/phases';

export type PhaseId = PhaseName | 'cleanup';
export type Status = 'passed' | 'failed' | 'cancelled';
export type PhaseStatus = Status | 'skipped';

export interface TestCounts {
  collected: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
}

export interface PhaseResult {
  name: PhaseId;
  status: PhaseStatus;
  durationMs: number;
  error: string | null;
}

export interface EnvResult {
  name: string;
  status: Status;
  durationMs: number;
  error: string | null;
  phases: PhaseResult[];
  tests: TestCounts;
  /** The env's log, when this run wrote one (an env cancelled before it started has none). */
  log: string | null;
  /** Set when the compose project's state and logs were captured after a failure. */
  composeLog: string | null;
  junit: string | null;
  /** The last lines of its log (masked), shown under the summary when it failed. */
  tail: string[];
  /** Its compose project, when this run left it up (it did not take it down). */
  leftUp: string | null;
}

export interface SuiteResult {
  /** This run's id: every file it writes belongs to it. */
  runId: string;
  status: Status;
  startedAt: string;
  durationMs: number;
  envs: EnvResult[];
  /** The signal that stopped the run, when one did. */
  signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | null;
  /** The shared registry's compose project, when this run started it and left it up. */
  registryUp: string | null;
}

export type RunEvent =
  | { type: 'suite_start'; runId: string; envs: string[]; jobs: number; startedAt: string }
  | { type: 'notice'; scope: string; message: string }
  | { type: 'registry_ready'; url: string; durationMs: number }
  | { type: 'env_start'; env: string }
  | { type: 'phase_start'; env: string; phase: PhaseId }
  | { type: 'command'; env: string; phase: PhaseId; command: string }
  /**
   * The lines of one chunk a child printed (masked), or one line of esb-e2e's own (`# ...`).
   * `ascii`: every character is ASCII, so a writer may skip UTF-8 encoding.
   */
  | { type: 'output'; env: string; phase: PhaseId; lines: readonly string[]; ascii?: boolean }
  /** Tests run so far of `total`; `passed` and `failed` (errors included) count them. */
  | { type: 'phase_progress'; env: string; phase: PhaseId; current: number; total: number; passed: number; failed: number }
  | { type: 'heartbeat'; env: string; phase: PhaseId; elapsedMs: number }
  | { type: 'phase_end'; env: string; phase: PhaseId; status: Status; durationMs: number; error?: string }
  | { type: 'phase_skip'; env: string; phase: PhaseId; reason: string }
  | { type: 'env_end'; env: string; status: Status; durationMs: number; error?: string }
  | { type: 'suite_end'; result: SuiteResult };

export type EventType = RunEvent['type'];

export interface Reporter {
  onEvent(event: RunEvent): void;
  /** A promise while this reporter's output is backed up; undefined when it can take more. */
  pressure?(): Promise<void> | undefined;
  /** Finish writing; resolves once everything is out. */
  close?(): Promise<void>;
  /** The process ends at once (a second Ctrl-C): write what must not be left undone, synchronously. */
  interrupt?(): void;
}

/** The event with every message in it masked (an `output` event's lines are masked where they are read). */
export function maskEvent(e: RunEvent, mask: (text: string) => string): RunEvent {
  switch (e.type) {
    case 'notice':
      return { ...e, message: mask(e.message) };
    case 'registry_ready':
      return { ...e, url: mask(e.url) };
    case 'command':
      return { ...e, command: mask(e.command) };
    case 'phase_end':
    case 'env_end':
      return e.error === undefined ? e : { ...e, error: mask(e.error) };
    case 'suite_end':
      return { ...e, result: { ...e.result, envs: e.result.envs.map((env) => maskResult(env, mask)) } };
    default:
      return e;
  }
}

function maskResult(env: EnvResult, mask: (text: string) => string): EnvResult {
  const maybe = (s: string | null) => (s === null ? null : mask(s));
  return { ...env, error: maybe(env.error), phases: env.phases.map((p) => ({ ...p, error: maybe(p.error) })), tail: env.tail.map(mask) };
}

export class EventBus {
  private readonly reporters: Reporter[] = [];

  /** `mask`: the run's masker, applied to every message an event carries before any reporter sees it. */
  constructor(private readonly mask?: (text: string) => string) {}

  subscribe(reporter: Reporter): void {
    this.reporters.push(reporter);
  }

  emit(event: RunEvent): void {
    const shown = this.mask && event.type !== 'output' ? maskEvent(event, this.mask) : event;
    for (const r of this.reporters) r.onEvent(shown);
  }

  pressure(): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const r of this.reporters) {
      const p = r.pressure?.();
      if (p) (waits ??= []).push(p);
    }
    return waits && Promise.all(waits).then(() => undefined);
  }

  async close(): Promise<void> {
    for (const r of this.reporters) await r.close?.();
  }

  interrupt(): void {
    for (const r of this.reporters) r.interrupt?.();
  }
}
