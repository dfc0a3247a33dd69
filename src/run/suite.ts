// A whole run: the suite's set-up (compose CLI, shared registry), every env as its own
// session under the scheduler, the registry stopped at the end with --cleanup, and the
// suite's result. Emits events; writes each env's log; never prints anything itself.
import type { EventBus, SuiteResult } from '../events';
import type { Plan } from '../plan/types';
import { stopInfra } from '../phases/infra';
import { realDeps, type RunnerDeps } from './deps';
import { Engines } from './engines';
import type { RunOptions } from './options';
import { schedule } from './scheduler';
import { EnvSession } from './session';
import { onceMemo, type SuiteState } from './suite-state';
import { setUp } from './setup';

export interface RunSignals {
  /** First Ctrl-C / SIGTERM: start nothing new, cancel what runs, clean up as configured. */
  readonly cancel: AbortSignal;
  /** Ends cleanup commands too (a second Ctrl-C). */
  readonly hard?: AbortSignal;
  /** This run's id (16 hex digits): in its events, its report and its state file. */
  readonly runId: string;
}

export async function runSuite(plan: Plan, options: RunOptions, bus: EventBus, signals: RunSignals, deps: RunnerDeps = realDeps): Promise<SuiteResult> {
  const startedMs = deps.now();
  const startedAt = new Date(startedMs).toISOString();
  const run = new AbortController();
  const stopRun = () => run.abort();
  signals.cancel.addEventListener('abort', stopRun, { once: true });
  const hard = signals.hard ?? new AbortController().signal;
  bus.emit({ type: 'suite_start', runId: signals.runId, envs: plan.envs.map((e) => e.name), jobs: plan.jobs, startedAt });
  for (const message of plan.notices) bus.emit({ type: 'notice', scope: 'suite', message });

  const setup = await setUp(plan, bus, deps, run.signal);
  const suite: SuiteState = {
    plan: setup.plan,
    options,
    bus,
    deps,
    engines: new Engines(deps),
    cancel: run.signal,
    hard,
    compose: setup.compose,
    setupError: setup.error,
    failFast: stopRun,
    once: onceMemo(),
  };
  const envs = await schedule(plan.envs, (env) => new EnvSession(env, suite).run(), {
    jobs: plan.jobs,
    stopsOthers: (result) => result.status === 'failed' && options.failFast,
    stop: stopRun,
  });
  const keepRegistry = options.keepFailed && envs.some((r) => r.status === 'failed');
  let registryUp = setup.infraStarted && plan.infra ? plan.infra.project : null;
  if (setup.compose && setup.infraStarted && options.cleanup && plan.infra && !keepRegistry) {
    // Bounded like an env's teardown: by the reset phase's timeout.
    const timeoutMs = Math.max(...plan.envs.map((e) => e.timeouts.reset)) * 1000;
    const stopped = await stopInfra(plan, setup.compose, { run: (argv) => deps.exec({ argv, env: { ...plan.base }, cwd: plan.root }, { signal: hard, timeoutMs }), wait: deps.wait });
    if (stopped.ok) registryUp = null;
  }
  await setup.proxy?.stop();
  signals.cancel.removeEventListener('abort', stopRun);
  const status = signals.cancel.aborted ? 'cancelled' : envs.every((r) => r.status === 'passed') ? 'passed' : 'failed';
  return { runId: signals.runId, status, startedAt, durationMs: deps.now() - startedMs, envs, signal: null, registryUp };
}
