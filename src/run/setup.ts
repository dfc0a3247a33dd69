// Before any env: which compose CLI to use, and the shared registry started once and
// waited for (its commands and lines under `[infra]`, in `.parallel-infra.log`). What
// fails here fails every env with the same reason.
import type { EventBus } from '../events';
import { quoteArgv } from '../format';
import { LogFile } from '../io/log-file';
import { Masker } from '../mask';
import type { Plan } from '../plan/types';
import { detectCompose, type ComposeCli } from '../phases/compose-cli';
import { startInfra } from '../phases/infra';
import type { RunnerDeps } from './deps';

export interface Setup {
  readonly compose: ComposeCli | undefined;
  /** The registry was asked to start (so --cleanup stops it). */
  readonly infraStarted: boolean;
  readonly error: string | null;
}

export async function setUp(plan: Plan, bus: EventBus, deps: RunnerDeps, signal: AbortSignal): Promise<Setup> {
  if (plan.envs.length === 0) return { compose: undefined, infraStarted: false, error: null };
  // Bounded by the compose phase's timeout: a user who sets it bounds this wait too.
  const timeoutMs = Math.max(...plan.envs.map((e) => e.timeouts.compose)) * 1000;
  const detected = await detectCompose(plan, (cmd) => deps.exec(cmd, { signal, timeoutMs }));
  if (typeof detected === 'string') return { compose: undefined, infraStarted: false, error: detected };
  const needsInfra = plan.infra && plan.envs.some((e) => e.phases.compose === 'run');
  if (!needsInfra || signal.aborted) return { compose: detected, infraStarted: false, error: null };
  return { compose: detected, infraStarted: true, error: await startRegistry(plan, detected, bus, deps, signal) };
}

/** Starts the registry; null when it is ready (or the run was cancelled meanwhile), else why not. */
async function startRegistry(plan: Plan, compose: ComposeCli, bus: EventBus, deps: RunnerDeps, signal: AbortSignal): Promise<string | null> {
  const log = await LogFile.open(`${plan.logDir}/.parallel-infra.log`).catch(() => undefined);
  const masker = Masker.forVars(plan.base);
  // The registry's start counts against its ready_timeout: compose up and the wait together.
  const deadline = deps.now() + plan.infra!.readyTimeout * 1000;
  const run = (argv: readonly string[]) => {
    const shown = masker.mask(quoteArgv(argv));
    log?.line(`$ ${shown}`);
    bus.emit({ type: 'command', env: 'infra', phase: 'compose', command: shown });
    return deps.exec(
      { argv, env: { ...plan.base, PORT_REGISTRY: String(plan.registryPort) }, cwd: plan.root, setting: 'matrix `compose`' },
      {
        signal,
        timeoutMs: Math.max(1, deadline - deps.now()),
        onLines: (lines, raw, ascii) => {
          const masked = masker.maskChunk(lines, raw);
          log?.write(masked.text, ascii);
          bus.emit({ type: 'output', env: 'infra', phase: 'compose', lines: masked.lines, ascii });
        },
      },
    );
  };
  const t0 = deps.now();
  const infra = await startInfra(plan, compose, { run, wait: (url) => deps.wait(url, Math.max(1, deadline - deps.now()), signal) });
  if (infra.ok) bus.emit({ type: 'registry_ready', url: infra.url, durationMs: deps.now() - t0 });
  else log?.line(masker.mask(infra.reason));
  await log?.close();
  return infra.ok || infra.cancelled ? null : infra.reason;
}
