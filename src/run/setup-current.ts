// Before any env of ESB's current layout: the ctl found (CTL_BIN, else the wrapper written
// under .e2e/bin, else esb-ctl on PATH) and handed to every phase as CTL_BIN_RESOLVED, its
// command surface checked (`deploy --help`, `provision --help`), the buildx builders warmed
// up. What fails here stops the run before any env starts.
import { existsSync } from 'node:fs';
import { builderContainer, containerEnvArgv, createArgv, inspectArgv, networkModeArgv, removeArgv, sameProxy, useArgv, wantedProxy } from '../esb/buildx';
import { display } from '../format';
import { errorText, readIfFresh, writeFileAtomic } from '../io/files';
import { which } from '../io/which';
import { CTL_SETTING } from '../plan/artifact';
import type { BuilderPlan, CtlPlan, Plan } from '../plan/types';
import type { InfraSession } from './infra-session';

export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The ctl's absolute path, or why there is none. */
export function resolveCtl(plan: Plan, ctl: CtlPlan, infra: InfraSession): Settled<string> {
  const path = plan.base.PATH;
  if (ctl.bin) {
    const found = which(ctl.bin, path, plan.root);
    return found ? { ok: true, value: found } : { ok: false, reason: `CTL_BIN is set but not executable: ${ctl.bin}` };
  }
  try {
    if (readIfFresh(ctl.wrapper, 0) !== ctl.wrapperText) writeFileAtomic(ctl.wrapper, ctl.wrapperText, 0o755);
    infra.trace(`ctl: ${ctl.wrapper} (python -m tools.cli.cli in ${plan.root})`);
    return { ok: true, value: ctl.wrapper };
  } catch (error) {
    infra.note(`cannot write ${display(plan.root, ctl.wrapper)}: ${errorText(error)}; looking for ${ctl.fallback} on PATH`);
  }
  const found = which(ctl.fallback, path, plan.root);
  return found ? { ok: true, value: found } : { ok: false, reason: `no ctl: ${display(plan.root, ctl.wrapper)} cannot be written and ${ctl.fallback} is not on PATH (set ${CTL_SETTING})` };
}

/** `<ctl> deploy --help` and `<ctl> provision --help` must exit 0 and not say `unknown command`. */
export async function checkCtl(ctl: string, infra: InfraSession, timeoutMs: number): Promise<string | null> {
  for (const command of ['deploy', 'provision']) {
    // stdout and stderr both, as ESB's runner reads them.
    let unknown = false;
    const seen = (lines: readonly string[]) => (unknown ||= lines.some((line) => /unknown command/i.test(line)));
    const asked = await infra.run([ctl, command, '--help'], { timeoutMs, seen, setting: CTL_SETTING });
    if (asked.cancelled) return null;
    if (asked.notFound) return asked.reason ?? `${ctl}: not found`;
    if (!asked.ok || unknown) {
      const why = asked.ok ? 'it says "unknown command"' : (asked.reason ?? 'it failed');
      return `the ctl ${ctl} lacks the \`${command}\` command ESB's current layout deploys with (\`${command} --help\`: ${why})`;
    }
  }
  return null;
}

/**
 * Each builder: kept (`buildx use`) when on the host network with the wanted proxy
 * variables, else created again. Skipped, with a note, when buildx itself is missing.
 */
export async function warmBuilders(plan: Plan, infra: InfraSession, timeoutMs: number): Promise<string | null> {
  const proxy = wantedProxy(plan.base);
  for (const builder of plan.builders) {
    const failed = await warmBuilder(builder, proxy, infra, timeoutMs);
    if (failed) return failed;
  }
  return null;
}

async function warmBuilder(builder: BuilderPlan, proxy: [string, string][], infra: InfraSession, timeoutMs: number): Promise<string | null> {
  const run = (argv: string[], capture = false) => infra.run(argv, { timeoutMs, capture, setting: 'Docker with buildx (docker buildx)' });
  const { name } = builder;
  const exists = await run(inspectArgv(name), true);
  if (exists.cancelled) return null;
  if (exists.ok) {
    const network = await run(networkModeArgv(name), true);
    const env = await run(containerEnvArgv(name), true);
    if (network.ok && network.stdout.trim() === 'host' && env.ok && sameProxy(env.stdout, proxy)) {
      const use = await run(useArgv(name));
      return use.ok || use.cancelled ? null : `buildx builder ${name}: ${use.reason}`;
    }
    infra.note(`buildx builder ${name} (${builderContainer(name)}) is not on the host network with the wanted proxy settings: creating it again`);
    const removed = await run(removeArgv(name));
    if (!removed.ok && !removed.cancelled) return `buildx builder ${name}: rm: ${removed.reason}`;
  }
  const config = builder.config && existsSync(builder.config) ? builder.config : null;
  const created = await run(createArgv(name, proxy, config));
  if (created.ok || created.cancelled) return null;
  // Without the buildx plugin there is nothing to warm up: a deploy that builds with it
  // fails in its env, where the ctl says so; one that does not (plain docker build) runs.
  const buildx = await run(['docker', 'buildx', 'version'], true);
  if (!buildx.ok && !buildx.cancelled) {
    infra.warn(`docker buildx is not installed (docker buildx version: ${buildx.reason}): no builder warmed up; an env whose deploy builds with buildx fails there`);
    return null;
  }
  return `buildx builder ${name}: create: ${created.reason}`;
}
