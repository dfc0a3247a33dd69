// The compose phase: `up --detach` (with --build when asked, or when an image that compose
// builds locally is missing), the shared registry joined to the env's network, the
// published ports discovered, then every health wait until it answers 200.
import { GATEWAY_WAIT_TIMEOUT } from '../esb/layout';
import { expand, lookupIn } from '../plan/env';
import { composeArgv, dockerArgv } from './compose-cli';
import { OK, failed, type PhaseContext, type PhaseOutcome } from './context';
import { discoverPorts } from './discover';
import { COMPOSE_SETTING } from './down';
import { stepsOf } from './steps';

export async function composeUp(ctx: PhaseContext): Promise<PhaseOutcome> {
  const steps = stepsOf(ctx);
  const build = ctx.options.build || (ctx.plan.autoBuild && (await steps.needsBuild(ctx)));
  const up = await ctx.run(composeArgv(ctx.compose, ctx.plan, ctx.env, 'up', '--detach', ...(build ? ['--build'] : [])), {
    setting: COMPOSE_SETTING,
  });
  if (!up.ok) return failed(up, 'compose up');
  const joined = await joinRegistry(ctx);
  if (!joined.ok && (joined.cancelled || steps.registryJoinRequired)) return joined;
  if (!joined.ok) ctx.note(`${joined.reason} (ignored, as ESB's current runner does)`);
  let bound = ctx;
  if (ctx.plan.publishedPorts.length) {
    const found = await discoverPorts(ctx);
    if (!found.ok) return found;
    bound = ctx.rebind(found.binding!);
  }
  const waited = await waitHealthy(bound);
  if (!waited.ok) return { ...waited, binding: bound.binding };
  const after = await steps.afterUp(bound);
  return { ...after, binding: after.binding ?? bound.binding };
}

/** The shared registry joins the env's network under its alias (already there is fine). */
async function joinRegistry(ctx: PhaseContext): Promise<PhaseOutcome> {
  const infra = ctx.plan.infra;
  const network = ctx.binding.vars.NETWORK_EXTERNAL;
  if (!infra?.container || !network) return OK;
  const connect = await ctx.run(dockerArgv(ctx.env, 'network', 'connect', '--alias', infra.alias, network, infra.container), { capture: true });
  if (connect.cancelled) return failed(connect, 'registry network connect');
  if (connect.ok || /already exists|already attached|is already connected/i.test(connect.stdout + (connect.reason ?? ''))) return OK;
  // docker prints "endpoint ... already exists" on stderr, which only the log sees; check again.
  const inspect = await ctx.run(dockerArgv(ctx.env, 'network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', network), {
    capture: true,
    quiet: true,
  });
  if (!inspect.ok || !inspect.stdout.split(/\s+/).includes(infra.container)) return failed(connect, 'registry network connect');
  return OK;
}

/** The gateway's https /health (when it publishes that port) and the matrix's waits, in order. */
async function waitHealthy(ctx: PhaseContext): Promise<PhaseOutcome> {
  const vars = ctx.binding.vars;
  const waits = ctx.env.wait.map((w) => ({ url: expand(w.url, lookupIn(vars), `wait ${w.url}`), timeout: w.timeout }));
  const https = ctx.binding.discovered?.PORT_GATEWAY_HTTPS;
  if (ctx.env.gatewayWait && https) waits.unshift({ url: `https://localhost:${https}/health`, timeout: GATEWAY_WAIT_TIMEOUT });
  for (const w of waits) {
    ctx.note(`wait for ${w.url} (up to ${w.timeout}s)`);
    const result = await ctx.wait(w.url, w.timeout * 1000);
    if (!result.ok) return { ok: false, reason: result.reason ?? 'wait failed', cancelled: ctx.signal.aborted };
    ctx.note(`${w.url} answered 200`);
  }
  return OK;
}
