// What every env of a suite shares: the plan, the options, the event bus, the effects,
// the engine clients, the run's cancellation, and what the suite's set-up found.
import type { EventBus } from '../events';
import type { Plan } from '../plan/types';
import type { ComposeCli } from '../phases/compose-cli';
import type { PhaseOutcome } from '../phases/context';
import type { RunnerDeps } from './deps';
import type { Engines } from './engines';
import type { RunOptions } from './options';

/** What every env of a suite shares. */
export interface SuiteState {
  readonly plan: Plan;
  readonly options: RunOptions;
  readonly bus: EventBus;
  readonly deps: RunnerDeps;
  readonly engines: Engines;
  /** Aborts when the run is cancelled (a signal, --fail-fast). */
  readonly cancel: AbortSignal;
  /** Aborts cleanup too (a second Ctrl-C). */
  readonly hard: AbortSignal;
  /** The compose CLI, when the suite's set-up found one. */
  readonly compose: ComposeCli | undefined;
  /** Why the suite's set-up failed (every env fails with it), or null. */
  readonly setupError: string | null;
  /** --fail-fast: cancel the others now. */
  failFast(): void;
  /** Work done once per run (the maven shim), shared by the envs that need it. */
  once(key: string, work: () => Promise<PhaseOutcome>): Promise<PhaseOutcome>;
}

/** A `once` for a suite: the first call's promise, kept by key. */
export function onceMemo(): SuiteState['once'] {
  const done = new Map<string, Promise<PhaseOutcome>>();
  return (key, work) => {
    let promise = done.get(key);
    if (!promise) done.set(key, (promise = work()));
    return promise;
  };
}
