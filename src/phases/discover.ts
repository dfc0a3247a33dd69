// The host ports an env's services really published, found once they run (one engine
// request, else one `docker ps`), mapped to their PORT_* variables: a new binding.
import { matchPublishedPorts, parsePortListing } from '../esb/published';
import { bind } from '../plan/bind';
import { composeLabel, dockerArgv, projectLabel } from './compose-cli';
import { askEngine, failed, type PhaseContext, type PhaseOutcome } from './context';

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
  const shown = Object.entries(found).map(([k, v]) => `${k}=${v}`).join(' ');
  ctx.note(`published ports: ${shown || 'none'}`);
  return { ok: true, binding: bind(ctx.plan, ctx.env, ctx.binding, { discovered: found }) };
}
