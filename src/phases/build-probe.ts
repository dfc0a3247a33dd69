// Does `compose up` need --build? Legacy: when an image compose builds locally is missing
// (asked of `compose config`); current: when ESB's base images are missing, or --build-only.
import { parse as parseYaml } from 'yaml';
import { builtImages, composeArgv, dockerArgv } from './compose-cli';
import type { PhaseContext } from './context';
import { COMPOSE_SETTING } from './down';

/** The base images ESB's current compose files build on. */
export const BASE_IMAGES = ['esb-os-base:latest', 'esb-python-base:latest'];

/** Is any image that compose builds locally missing? Then `up` needs --build. */
export async function legacyNeedsBuild(ctx: PhaseContext): Promise<boolean> {
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
  return images.length > 0 && missing(ctx, images, 'a locally built image is missing');
}

/** --build-only builds; otherwise when `docker image inspect` of ESB's base images fails. */
export async function currentNeedsBuild(ctx: PhaseContext): Promise<boolean> {
  if (ctx.plan.buildOnly) return true;
  return missing(ctx, BASE_IMAGES, `${BASE_IMAGES.join(' or ')} is missing`);
}

async function missing(ctx: PhaseContext, images: readonly string[], why: string): Promise<boolean> {
  const inspect = await ctx.run(dockerArgv(ctx.env, 'image', 'inspect', '--format', '{{.Id}}', ...images), { capture: true, quiet: true });
  if (!inspect.ok && !inspect.cancelled) ctx.note(`${why}: compose up --build`);
  return !inspect.ok && !inspect.cancelled;
}
