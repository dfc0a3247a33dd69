// Before any env: which compose CLI to use; with --with-proxy the proxy up and proven; for
// ESB's current layout its ctl (handed on as CTL_BIN_RESOLVED), the ctl's command surface
// and the buildx builders; then the shared registry started once and waited for. Commands and lines go under `[infra]`, into
// `.parallel-infra.log`. What fails here fails every env with the same reason.
import type { EventBus } from '../events';
import type { Plan } from '../plan/types';
import { detectCompose, type ComposeCli } from '../phases/compose-cli';
import { startInfra } from '../phases/infra';
import type { RunnerDeps } from './deps';
import { InfraSession } from './infra-session';
import { proxyUp, type RunningProxy } from './proxy';
import { checkCtl, resolveCtl, warmBuilders } from './setup-current';

export interface Setup {
  readonly compose: ComposeCli | undefined;
  /** The registry was asked to start (so --cleanup stops it). */
  readonly infraStarted: boolean;
  readonly error: string | null;
  /** The plan the envs run with: the current layout adds CTL_BIN_RESOLVED to its base env. */
  readonly plan: Plan;
  /** --with-proxy: the proxy every phase goes through, to stop when the run ends. */
  readonly proxy: RunningProxy | null;
}

export async function setUp(plan: Plan, bus: EventBus, deps: RunnerDeps, signal: AbortSignal): Promise<Setup> {
  const none = { compose: undefined, infraStarted: false, plan, proxy: null };
  if (plan.envs.length === 0) return { ...none, error: null };
  // Bounded by the compose phase's timeout: a user who sets it bounds this wait too.
  const timeoutMs = Math.max(...plan.envs.map((e) => e.timeouts.compose)) * 1000;
  const detected = await detectCompose(plan, (cmd) => deps.exec(cmd, { signal, timeoutMs }));
  if (typeof detected === 'string') return { ...none, error: detected };
  const infra = await InfraSession.open(plan, bus, deps, signal);
  try {
    const proxied = plan.proxy ? await proxyUp(plan, plan.proxy, infra, Math.max(...plan.envs.map((e) => e.timeouts.deploy)) * 1000) : null;
    if (proxied && !proxied.ok) return { ...none, compose: detected, error: signal.aborted ? null : proxied.reason };
    const proxy = proxied?.value ?? null;
    const ready = plan.generation === 'current' ? await currentSetup(plan, infra, timeoutMs) : { plan, error: null };
    if (ready.error || signal.aborted) return { ...none, compose: detected, plan: ready.plan, proxy, error: signal.aborted ? null : ready.error };
    const needsInfra = plan.infra && plan.envs.some((e) => e.phases.compose === 'run');
    if (!needsInfra) return { compose: detected, infraStarted: false, plan: ready.plan, proxy, error: null };
    return { compose: detected, infraStarted: true, plan: ready.plan, proxy, error: await startRegistry(ready.plan, detected, infra) };
  } finally {
    await infra.close();
  }
}

/** The ctl resolved and checked, the builders warmed up (neither with --test-only: nothing is deployed). */
async function currentSetup(plan: Plan, infra: InfraSession, timeoutMs: number): Promise<{ plan: Plan; error: string | null }> {
  const ctl = resolveCtl(plan, plan.ctl!, infra);
  if (!ctl.ok) return { plan, error: ctl.reason };
  const resolved: Plan = Object.freeze({ ...plan, base: Object.freeze({ ...plan.base, CTL_BIN_RESOLVED: ctl.value }) });
  infra.inherit({ CTL_BIN_RESOLVED: ctl.value });
  if (plan.envs.every((e) => e.phases.deploy === 'skip')) return { plan: resolved, error: null };
  const error = (await checkCtl(ctl.value, infra, timeoutMs)) ?? (await warmBuilders(resolved, infra, timeoutMs));
  return { plan: resolved, error };
}

/** Starts the registry; null when it is ready (or the run was cancelled meanwhile), else why not. */
async function startRegistry(plan: Plan, compose: ComposeCli, infra: InfraSession): Promise<string | null> {
  const { deps, signal } = infra;
  // The registry's start counts against its ready_timeout: compose up and the wait together.
  const deadline = deps.now() + plan.infra!.readyTimeout * 1000;
  const env = { PORT_REGISTRY: String(plan.registryPort) };
  const t0 = deps.now();
  const started = await startInfra(plan, compose, {
    run: (argv, opts = {}) => infra.run(argv, { timeoutMs: deadline - deps.now(), env: { ...env, ...opts.env }, capture: opts.capture ?? false, setting: 'matrix `compose`' }),
    wait: (url) => deps.wait(url, Math.max(1, deadline - deps.now()), signal),
  });
  if (started.ok) infra.registryReady(started.url, deps.now() - t0);
  else infra.trace(started.reason);
  return started.ok || started.cancelled ? null : started.reason;
}
