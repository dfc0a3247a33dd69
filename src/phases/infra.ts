// The shared registry: started once for the whole run, before any env, and ready when
// `GET ready_url` answers 200. Skipped (with a notice) when the project has none.
import type { ExecResult } from '../exec';
import type { WaitResult } from '../io/wait';
import type { Plan } from '../plan/types';
import { infraDownArgv, infraUpArgv, type ComposeCli } from './compose-cli';

export interface InfraDeps {
  run(argv: readonly string[]): Promise<ExecResult>;
  wait(url: string, timeoutMs: number): Promise<WaitResult>;
}

export type InfraOutcome = { ok: true; url: string } | { ok: false; reason: string; cancelled: boolean };

export async function startInfra(plan: Plan, compose: ComposeCli, deps: InfraDeps): Promise<InfraOutcome> {
  const infra = plan.infra!;
  const up = await deps.run(infraUpArgv(compose, plan));
  if (up.timedOut) return { ok: false, reason: `registry: compose up did not finish within infra.ready_timeout (${infra.readyTimeout}s)`, cancelled: false };
  if (!up.ok) return { ok: false, reason: `registry: compose up: ${up.reason}`, cancelled: up.cancelled };
  const ready = await deps.wait(infra.readyUrl, infra.readyTimeout * 1000);
  if (!ready.ok) return { ok: false, reason: `registry: ${ready.reason}`, cancelled: ready.reason === 'cancelled' };
  return { ok: true, url: infra.readyUrl };
}

export async function stopInfra(plan: Plan, compose: ComposeCli, deps: InfraDeps): Promise<ExecResult> {
  return deps.run(infraDownArgv(compose, plan));
}
