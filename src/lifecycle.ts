// An env's compose project over its life: reset (down + what is left by label + state
// dirs), compose up (build when needed, registry joined, published ports discovered,
// health waits), down, and the capture of its containers' state and logs on failure.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { builtImages, composeArgv, composeLabel, dockerArgv, projectLabel } from './compose';
import { GATEWAY_WAIT_TIMEOUT, isInside, matchPublishedPorts, parsePortListing, stateRoots } from './esb';
import { expand } from './env';
import type { Leftovers } from './docker-api';
import { OK, askEngine, failed, type PhaseContext, type PhaseOutcome } from './phase';

const COMPOSE_SETTING = 'matrix `compose`';

/** Take the shared registry off the env's network first: compose cannot remove a network in use. */
async function detachRegistry(ctx: PhaseContext): Promise<void> {
  const container = ctx.plan.infra?.container;
  const network = ctx.vars().NETWORK_EXTERNAL;
  if (!container || !network) return;
  // Not attached (a first run, a clean slate): nothing to do, and no docker error in the log.
  const members = await askEngine(ctx, (api) => api.networkMembers(network, ctx.signal));
  if (members !== undefined && !members?.includes(container)) return;
  await ctx.run(dockerArgv(ctx.env, 'network', 'disconnect', '--force', network, container), { quiet: true });
}

export async function down(ctx: PhaseContext): Promise<PhaseOutcome> {
  await detachRegistry(ctx);
  const result = await ctx.run(composeArgv(ctx.compose, ctx.plan, ctx.env, 'down', '--volumes', '--remove-orphans'), {
    setting: COMPOSE_SETTING,
  });
  return result.ok ? OK : failed(result, 'compose down');
}

/** What compose may leave behind, how the CLI lists it by label and removes it. */
const LEFTOVER_KINDS = [
  { key: 'containers', list: ['ps', '--all', '--quiet', '--filter'], remove: ['rm', '--force', '--volumes'] },
  { key: 'networks', list: ['network', 'ls', '--quiet', '--filter'], remove: ['network', 'rm'] },
  { key: 'volumes', list: ['volume', 'ls', '--quiet', '--filter'], remove: ['volume', 'rm', '--force'] },
] as const;

const isEmpty = (found: Leftovers) => LEFTOVER_KINDS.every((k) => found[k.key].length === 0);

export async function reset(ctx: PhaseContext): Promise<PhaseOutcome> {
  const label = composeLabel(ctx.env.project);
  const ask = () => askEngine(ctx, (api) => api.leftovers(label, ctx.signal));
  // Asked while down runs, which only removes: when nothing carries the label now, nothing
  // will after down either, and the env's clean start costs no question in between.
  const downing = down(ctx);
  const [downed, early] = await Promise.all([downing, ask()]);
  if (!downed.ok) return downed;
  const asked = early && isEmpty(early) ? early : await ask();
  if (asked) {
    const shown = LEFTOVER_KINDS.filter((k) => asked[k.key].length).map((k) => `${k.key} ${asked[k.key].length}`);
    ctx.trace(`left with ${label} (${(await ctx.engine())?.endpoint}): ${shown.join(', ') || 'nothing'}`);
  }
  for (const kind of LEFTOVER_KINDS) {
    let ids = asked?.[kind.key];
    if (!ids) {
      const listed = await ctx.run(dockerArgv(ctx.env, ...kind.list, projectLabel(ctx.env.project)), { capture: true });
      if (!listed.ok) return failed(listed, `docker ${kind.list[0]}`);
      ids = listed.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    }
    if (ids.length === 0) continue;
    const removed = await ctx.run(dockerArgv(ctx.env, ...kind.remove, ...ids));
    if (!removed.ok) return failed(removed, `docker ${kind.remove.slice(0, -1).join(' ') || kind.remove[0]}`);
  }
  const roots = stateRoots(ctx.plan.root, { home: ctx.plan.base.HOME ?? '/root', xdgCacheHome: ctx.plan.base.XDG_CACHE_HOME || undefined });
  for (const dir of ctx.env.stateDirs) {
    // Planned by the runner, checked again here: reset never deletes outside these roots.
    if (!isInside(dir, roots)) return { ok: false, reason: `refusing to wipe ${dir}: outside the project root and the ESB cache` };
  }
  // Most runs find nothing to wipe: a stat is cheaper than a round trip to the thread pool.
  const present = ctx.env.stateDirs.filter((dir) => existsSync(dir));
  for (const dir of present) ctx.note(`wipe ${dir}`);
  await Promise.all(present.map((dir) => rm(dir, { recursive: true, force: true })));
  return OK;
}

/** Is any image that compose builds locally missing? Then `up` needs --build. */
async function needsBuild(ctx: PhaseContext): Promise<boolean> {
  // Asking compose costs a process (most of a second with docker-compose v1): the plan
  // knows when no compose file of the env can build anything or pull in a file that does.
  if (!ctx.env.composeBuilds) return false;
  const config = await ctx.run(composeArgv(ctx.compose, ctx.plan, ctx.env, 'config'), { capture: true, quiet: true, setting: COMPOSE_SETTING });
  if (!config.ok) return false;
  let images: string[];
  try {
    images = builtImages(parseYaml(config.stdout));
  } catch {
    return false;
  }
  if (images.length === 0) return false;
  const inspect = await ctx.run(dockerArgv(ctx.env, 'image', 'inspect', '--format', '{{.Id}}', ...images), { capture: true, quiet: true });
  if (!inspect.ok && !inspect.cancelled) ctx.note('a locally built image is missing: compose up --build');
  return !inspect.ok && !inspect.cancelled;
}

/** Host ports the env's services really published: one engine request, else one `docker ps`. */
export async function discoverPorts(ctx: PhaseContext): Promise<PhaseOutcome> {
  let mappings = await askEngine(ctx, (api) => api.publishedPorts(composeLabel(ctx.env.project), ctx.signal));
  if (!mappings) {
    const listed = await ctx.run(
      dockerArgv(ctx.env, 'ps', '--filter', projectLabel(ctx.env.project), '--format', '{{.Label "com.docker.compose.service"}}\t{{.Ports}}'),
      { capture: true, quiet: true },
    );
    if (!listed.ok) return failed(listed, 'docker ps');
    mappings = parsePortListing(listed.stdout);
  }
  const found = matchPublishedPorts(mappings, ctx.plan.publishedPorts);
  ctx.discovered = found;
  const shown = Object.entries(found).map(([k, v]) => `${k}=${v}`).join(' ');
  ctx.note(`published ports: ${shown || 'none'}`);
  return OK;
}

export async function composeUp(ctx: PhaseContext): Promise<PhaseOutcome> {
  const build = ctx.settings.build || (ctx.plan.autoBuild && (await needsBuild(ctx)));
  const up = await ctx.run(composeArgv(ctx.compose, ctx.plan, ctx.env, 'up', '--detach', ...(build ? ['--build'] : [])), {
    setting: COMPOSE_SETTING,
  });
  if (!up.ok) return failed(up, 'compose up');

  const infra = ctx.plan.infra;
  const network = ctx.vars().NETWORK_EXTERNAL;
  if (infra?.container && network) {
    const connect = await ctx.run(
      dockerArgv(ctx.env, 'network', 'connect', '--alias', infra.alias, network, infra.container),
      { capture: true },
    );
    if (!connect.ok && !connect.cancelled && !/already exists|already attached|is already connected/i.test(connect.stdout + (connect.reason ?? ''))) {
      // docker prints "endpoint ... already exists" on stderr, which only the log sees; check again.
      const inspect = await ctx.run(dockerArgv(ctx.env, 'network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', network), {
        capture: true,
        quiet: true,
      });
      if (!inspect.ok || !inspect.stdout.split(/\s+/).includes(infra.container)) return failed(connect, 'registry network connect');
    }
    if (connect.cancelled) return failed(connect, 'registry network connect');
  }

  if (ctx.plan.publishedPorts.length) {
    const found = await discoverPorts(ctx);
    if (!found.ok) return found;
  }
  const vars = ctx.vars();
  const waits = ctx.env.wait.map((w) => ({ url: expand(w.url, (k) => vars[k], `wait ${w.url}`), timeout: w.timeout }));
  if (ctx.env.gatewayWait && ctx.discovered?.PORT_GATEWAY_HTTPS) {
    waits.unshift({ url: `https://localhost:${ctx.discovered.PORT_GATEWAY_HTTPS}/health`, timeout: GATEWAY_WAIT_TIMEOUT });
  }
  for (const w of waits) {
    ctx.note(`wait for ${w.url} (up to ${w.timeout}s)`);
    const result = await ctx.wait(w.url, w.timeout * 1000);
    if (!result.ok) return { ok: false, reason: result.reason ?? 'wait failed', cancelled: ctx.signal.aborted };
    ctx.note(`${w.url} answered 200`);
  }
  return OK;
}

/** `ps --all` and `logs` of the env's compose project, into its .compose.log. */
export async function captureCompose(ctx: PhaseContext, file: string): Promise<boolean> {
  const parts: string[] = [];
  for (const args of [['ps', '--all'], ['logs', '--no-color', '--timestamps']]) {
    const argv = composeArgv(ctx.compose, ctx.plan, ctx.env, ...args);
    const result = await ctx.run(argv, { capture: true, quiet: true });
    parts.push(`$ ${argv.join(' ')}\n${result.stdout}${result.ok ? '' : `(${result.reason})\n`}`);
  }
  try {
    await writeFile(file, ctx.mask(parts.join('\n')));
    return true;
  } catch {
    return false;
  }
}
