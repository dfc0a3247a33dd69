// The shared registry: started once for the whole run, before any env, and ready when
// `GET ready_url` answers 200. Skipped (with a notice) when the project has none. ESB's
// current layout asks the engine first: a running registry is used as it is, a stopped one
// started, and compose brings it up only when its container is absent.
import type { ExecResult } from '../exec';
import type { WaitResult } from '../io/wait';
import type { Vars } from '../plan/env';
import type { Plan } from '../plan/types';
import { infraDownArgv, infraPsArgv, infraUpArgv, type ComposeCli } from './compose-cli';

export interface InfraDeps {
  run(argv: readonly string[], opts?: { readonly capture?: boolean; readonly env?: Readonly<Vars> }): Promise<ExecResult>;
  wait(url: string, timeoutMs: number): Promise<WaitResult>;
}

export type InfraOutcome = { ok: true; url: string } | { ok: false; reason: string; cancelled: boolean };

export async function startInfra(plan: Plan, compose: ComposeCli, deps: InfraDeps): Promise<InfraOutcome> {
  const infra = plan.infra!;
  const { up, what } = plan.generation === 'current' ? await currentUp(plan, compose, deps) : { up: await deps.run(infraUpArgv(compose, plan)), what: 'compose up' };
  if (up.timedOut) return { ok: false, reason: `registry: ${what} did not finish within infra.ready_timeout (${infra.readyTimeout}s)`, cancelled: false };
  if (!up.ok) return { ok: false, reason: `registry: ${what}: ${up.reason}`, cancelled: up.cancelled };
  const ready = await deps.wait(infra.readyUrl, infra.readyTimeout * 1000);
  if (!ready.ok) return { ok: false, reason: `registry: ${ready.reason}`, cancelled: ready.reason === 'cancelled' };
  return { ok: true, url: infra.readyUrl };
}

/** Running: as it is; stopped: `docker start`; absent: compose up with REGISTRY_CONTAINER_NAME. */
async function currentUp(plan: Plan, compose: ComposeCli, deps: InfraDeps): Promise<{ up: ExecResult; what: string }> {
  const container = plan.infra!.container!;
  const state = await deps.run(['docker', 'inspect', '--format', '{{.State.Running}}', container], { capture: true });
  if (state.ok && state.stdout.trim() === 'true') return { up: state, what: 'docker inspect' };
  if (state.ok) return { up: await deps.run(['docker', 'start', container]), what: 'docker start' };
  if (state.cancelled) return { up: state, what: 'docker inspect' };
  await deps.run(infraPsArgv(compose, plan), { capture: true });
  return { up: await deps.run(infraUpArgv(compose, plan), { env: { REGISTRY_CONTAINER_NAME: container } }), what: 'compose up' };
}

export async function stopInfra(plan: Plan, compose: ComposeCli, deps: InfraDeps): Promise<ExecResult> {
  return deps.run(infraDownArgv(compose, plan));
}
