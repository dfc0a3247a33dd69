// The reset phase: the env's compose project down, then whatever still carries its compose
// label (containers, networks, volumes), then its state dirs wiped, so every run starts
// from a clean slate, even after a killed one.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homeDirs, isInside, stateRoots } from '../esb/layout';
import type { Leftovers } from '../io/docker-api';
import { realPath } from '../io/files';
import { composeLabel, dockerArgv, projectLabel } from './compose-cli';
import { OK, askEngine, failed, type PhaseContext, type PhaseOutcome } from './context';
import { down } from './down';

/** What compose may leave behind, how the CLI lists it by label and removes it. */
const LEFTOVER_KINDS = [
  { key: 'containers', list: ['ps', '--all', '--quiet', '--filter'], remove: ['rm', '--force', '--volumes'] },
  { key: 'networks', list: ['network', 'ls', '--quiet', '--filter'], remove: ['network', 'rm'] },
  { key: 'volumes', list: ['volume', 'ls', '--quiet', '--filter'], remove: ['volume', 'rm', '--force'] },
] as const;

const isEmpty = (found: Leftovers) => LEFTOVER_KINDS.every((k) => found[k.key].length === 0);

/** `containers 1, volumes 2`, or `nothing`. */
export const leftoversText = (found: Leftovers) =>
  LEFTOVER_KINDS.filter((k) => found[k.key].length).map((k) => `${k.key} ${found[k.key].length}`).join(', ') || 'nothing';

export async function reset(ctx: PhaseContext): Promise<PhaseOutcome> {
  const label = composeLabel(ctx.env.project);
  const ask = () => askEngine(ctx, (api) => api.leftovers(label, ctx.signal));
  // Asked while down runs, which only removes: when nothing carries the label now, nothing
  // will after down either, and the env's clean start costs no question in between.
  const [downed, early] = await Promise.all([down(ctx), ask()]);
  if (!downed.ok) return downed;
  const asked = early && isEmpty(early) ? early : await ask();
  if (asked) ctx.trace(`left with ${label} (${(await ctx.engine())?.endpoint}): ${leftoversText(asked)}`);
  const found = asked ?? (await listLeftovers(ctx));
  if ('ok' in found) return found;
  const removed = await removeLeftovers(ctx, found);
  return removed.ok ? wipeStateDirs(ctx) : removed;
}

/** What carries the env's compose label: the engine's answer, else what the docker CLI lists. */
export async function leftoversOf(ctx: PhaseContext): Promise<Leftovers | PhaseOutcome> {
  const asked = await askEngine(ctx, (api) => api.leftovers(composeLabel(ctx.env.project), ctx.signal));
  return asked ?? listLeftovers(ctx);
}

async function listLeftovers(ctx: PhaseContext): Promise<Leftovers | PhaseOutcome> {
  const found: Record<string, string[]> = {};
  for (const kind of LEFTOVER_KINDS) {
    const listed = await ctx.run(dockerArgv(ctx.env, ...kind.list, projectLabel(ctx.env.project)), { capture: true });
    if (!listed.ok) return failed(listed, `docker ${kind.list[0]}`);
    found[kind.key] = listed.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  }
  return found as unknown as Leftovers;
}

/** Removes what was found: containers, then networks, then volumes. */
export async function removeLeftovers(ctx: PhaseContext, found: Leftovers): Promise<PhaseOutcome> {
  for (const kind of LEFTOVER_KINDS) {
    const ids = found[kind.key];
    if (ids.length === 0) continue;
    const removed = await ctx.run(dockerArgv(ctx.env, ...kind.remove, ...ids));
    if (!removed.ok) return failed(removed, `docker ${kind.remove.slice(0, -1).join(' ') || kind.remove[0]}`);
  }
  return OK;
}

async function wipeStateDirs(ctx: PhaseContext): Promise<PhaseOutcome> {
  const roots = stateRoots(ctx.plan.root, homeDirs(ctx.plan.base)).map(realPath);
  for (const dir of ctx.env.stateDirs) {
    // Checked before the run, and again here by real paths (a link made since is not followed):
    // reset never deletes outside these roots.
    if (!isInside(realPath(dir), roots)) return { ok: false, reason: `refusing to wipe ${dir}: it is ${realPath(dir)}, outside the project root and the ESB cache` };
  }
  // Most runs find nothing to wipe: a stat is cheaper than a round trip to the thread pool.
  const present = ctx.env.stateDirs.filter((dir) => existsSync(dir));
  for (const dir of present) ctx.note(`wipe ${dir}`);
  await Promise.all(present.map((dir) => rm(dir, { recursive: true, force: true })));
  return OK;
}
