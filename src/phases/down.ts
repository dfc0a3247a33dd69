// Taking an env's compose project down (reset's first step, and the cleanup phase): the
// shared registry leaves the env's network first, since compose cannot remove a network
// in use, then `compose down --volumes --remove-orphans`.
import { composeArgv, dockerArgv } from './compose-cli';
import { OK, askEngine, failed, type PhaseContext, type PhaseOutcome } from './context';

export const COMPOSE_SETTING = 'matrix `compose`';

async function detachRegistry(ctx: PhaseContext): Promise<void> {
  const container = ctx.plan.infra?.container;
  const network = ctx.binding.vars.NETWORK_EXTERNAL;
  if (!container || !network) return;
  // Not attached (a first run, a clean slate): nothing to do, and no docker error in the log.
  const members = await askEngine(ctx, (api) => api.networkMembers(network, ctx.signal));
  if (members !== undefined && !members?.includes(container)) return;
  await ctx.run(dockerArgv(ctx.env, 'network', 'disconnect', '--force', network, container), { quiet: true });
}

/** `args`: what the compose command says after `down` (reset: `--volumes --remove-orphans`; cleanup: the layout's). */
export async function down(ctx: PhaseContext, args: readonly string[] = ['down', '--volumes', '--remove-orphans']): Promise<PhaseOutcome> {
  await detachRegistry(ctx);
  const result = await ctx.run(composeArgv(ctx.compose, ctx.plan, ctx.env, ...args), {
    setting: COMPOSE_SETTING,
  });
  return result.ok ? OK : failed(result, 'compose down');
}
