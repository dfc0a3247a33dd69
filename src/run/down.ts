// `esb-e2e down`: stops and removes what runs left, found from the matrix and the
// engine's compose project labels alone (no state file: it works after any run, or none).
// Per env: what carries its compose label; when anything does, `compose down --volumes
// --remove-orphans`, then whatever still carries the label. Then the shared registry, when
// every env is selected. It says what it removed; a second `down` finds nothing (exit 0).
import { display, quoteArgv } from '../format';
import { Output } from '../io/console';
import type { Leftovers } from '../io/docker-api';
import { Masker } from '../mask';
import { planned } from '../plan/bind';
import type { EnvPlan, Plan } from '../plan/types';
import { detectCompose, infraDownArgv, projectLabel, type ComposeCli } from '../phases/compose-cli';
import type { PhaseContext, PhaseOutcome } from '../phases/context';
import { down } from '../phases/down';
import { leftoversOf, leftoversText, removeLeftovers } from '../phases/reset';
import { realDeps, type RunnerDeps } from './deps';
import { Engines } from './engines';
import type { RunIo } from './options';

export async function downCommand(plan: Plan, io: RunIo, everyEnv: boolean, deps: RunnerDeps = realDeps): Promise<number> {
  const out = new Output(io.stdout);
  const signal = new AbortController().signal;
  const timeoutMs = Math.max(...plan.envs.map((e) => e.timeouts.reset), 60) * 1000;
  const compose = await detectCompose(plan, (cmd) => deps.exec(cmd, { signal, timeoutMs }));
  if (typeof compose === 'string') {
    io.stderr.write(`esb-e2e: ${compose}\n`);
    return 1;
  }
  const engines = new Engines(deps);
  let failures = 0;
  for (const env of plan.envs) {
    const ctx = consoleContext(plan, env, compose, out, engines, deps, signal);
    const outcome = await takeDown(ctx);
    out.write(`[${env.name}] ${outcome.ok ? outcome.said : `failed: ${outcome.reason}`}\n`);
    if (!outcome.ok) failures++;
  }
  if (everyEnv && plan.infra) failures += (await registryDown(plan, compose, out, deps, signal, timeoutMs)) ? 0 : 1;
  await out.flush();
  return failures ? 1 : 0;
}

async function takeDown(ctx: PhaseContext): Promise<{ ok: true; said: string } | { ok: false; reason: string }> {
  const found = await leftoversOf(ctx);
  if ('ok' in found) return failure(found);
  if (count(found) === 0) return { ok: true, said: `nothing of ${ctx.env.project} is up` };
  const downed = await down(ctx);
  if (!downed.ok) return failure(downed);
  const left = await leftoversOf(ctx);
  if ('ok' in left) return failure(left);
  const removed = await removeLeftovers(ctx, left);
  return removed.ok ? { ok: true, said: `${ctx.env.project} taken down: removed ${leftoversText(found)}` } : failure(removed);
}

async function registryDown(plan: Plan, compose: ComposeCli, out: Output, deps: RunnerDeps, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  // The current layout starts it with no project name (compose takes the folder's): it is known by its container.
  const filter = plan.generation === 'current' && plan.infra!.container ? `name=^${plan.infra!.container}$` : projectLabel(plan.infra!.project);
  const listed = await deps.exec(
    { argv: ['docker', 'ps', '--all', '--quiet', '--filter', filter], env: { ...plan.base }, cwd: plan.root },
    { signal, timeoutMs, capture: true },
  );
  if (listed.ok && listed.stdout.trim() === '') {
    out.write('[infra] the registry is not up\n');
    return true;
  }
  const argv = infraDownArgv(compose, plan);
  out.write(`[infra] $ ${quoteArgv(argv)}\n`);
  const result = await deps.exec({ argv, env: { ...plan.base }, cwd: plan.root }, { signal, timeoutMs, onLines: (lines) => out.write(lines.map((l) => `[infra] ${l}\n`).join('')) });
  out.write(`[infra] ${result.ok ? `the registry (${plan.infra!.project}, ${display(plan.root, plan.infra!.composeFile)}) taken down` : `failed: ${result.reason}`}\n`);
  return result.ok;
}

const count = (found: Leftovers) => found.containers.length + found.networks.length + found.volumes.length;
const failure = (outcome: PhaseOutcome) => ({ ok: false as const, reason: outcome.ok ? 'failed' : outcome.reason });

/** A phase context whose commands and lines go to the console, `[env]`-prefixed and masked. */
function consoleContext(plan: Plan, env: EnvPlan, compose: ComposeCli, out: Output, engines: Engines, deps: RunnerDeps, signal: AbortSignal): PhaseContext {
  const binding = planned(plan, env);
  const masker = Masker.forVars(plan.base, binding.vars);
  const say = (lines: readonly string[]) => out.write(lines.map((l) => `[${env.name}] ${masker.mask(l)}\n`).join(''));
  let engine: ReturnType<PhaseContext['engine']> | undefined;
  const ctx: PhaseContext = {
    plan,
    env,
    options: { verbose: false, build: false, noCache: false },
    compose,
    signal,
    binding,
    rebind: () => ctx,
    engine: () => (engine ??= !plan.dockerApi ? Promise.resolve(null) : engines.of(binding.vars, env.dockerContext).then((api) => (typeof api === 'string' ? null : api))),
    run: (argv, opts = {}) => {
      say([`$ ${quoteArgv(argv)}`]);
      return deps.exec({ argv, env: { ...binding.vars, ...opts.env }, cwd: plan.root }, { signal, capture: opts.capture ?? false, onLines: (lines) => say(lines) });
    },
    note: (line) => say([`# ${line}`]),
    trace: () => undefined,
    progress: () => undefined,
    once: (_key, work) => work(),
    wait: (url, ms) => deps.wait(url, ms, signal),
    mask: (text) => masker.mask(text),
  };
  return ctx;
}
