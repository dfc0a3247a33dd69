// The running gateway container's environment, which pytest gets part of. Legacy: asked by
// the container's name, in the test phase. Current: found by its compose labels right after
// compose up, where its credentials must be set or the env fails.
import { GATEWAY_CREDENTIALS, savedCredentials } from '../esb/current';
import { CREDENTIALS } from '../esb/conventions';
import { gatewayContainer } from '../esb/layout';
import { envListVars } from '../io/docker-api';
import { writeFileAtomic } from '../io/files';
import { composeLabel, dockerArgv } from './compose-cli';
import { OK, askEngine, failed, type PhaseContext, type PhaseOutcome } from './context';

type Env = Record<string, string>;

/** Legacy: `docker inspect` of `<project>-gateway` (or the engine's answer); {} when it is not there. */
export async function gatewayByName(ctx: PhaseContext): Promise<Env> {
  if (!ctx.plan.gatewayEnv) return {};
  const container = gatewayContainer(ctx.env.project);
  const asked = await askEngine(ctx, async (api) => {
    const env = await api.containerEnv(container, ctx.signal);
    ctx.trace(`env of ${container} (${api.endpoint}): ${env ? `${Object.keys(env).length} variables` : 'no such container'}`);
    return env ?? {};
  });
  if (asked) return asked;
  const result = await ctx.run(dockerArgv(ctx.env, 'inspect', '--format', '{{json .Config.Env}}', container), { capture: true, quiet: true });
  if (!result.ok) return {};
  try {
    return envListVars(JSON.parse(result.stdout.trim()) as string[]);
  } catch {
    return {};
  }
}

type Read = { readonly ok: true; readonly env: Env } | { readonly ok: false; readonly reason: string; readonly cancelled?: boolean };

/** Current: the container of the env's compose service `gateway`, by its labels; why not, when it cannot be read. */
export async function gatewayByLabels(ctx: PhaseContext): Promise<Read> {
  const ps = await ctx.run(
    dockerArgv(ctx.env, 'ps', '-q', '--filter', `label=${composeLabel(ctx.env.project)}`, '--filter', 'label=com.docker.compose.service=gateway'),
    { capture: true, quiet: true },
  );
  if (!ps.ok) return failed(ps, 'gateway container') as Read;
  const id = ps.stdout.split('\n').map((s) => s.trim()).find(Boolean);
  if (!id) return { ok: false, reason: `no running gateway container of ${ctx.env.project} (compose service "gateway")` };
  const inspect = await ctx.run(dockerArgv(ctx.env, 'inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', id), { capture: true, quiet: true });
  if (!inspect.ok) return failed(inspect, 'gateway container env') as Read;
  return { ok: true, env: envListVars(inspect.stdout.split('\n').filter(Boolean)) };
}

/**
 * After compose up (current layout): the gateway's env, which must hold every credential,
 * kept on the binding for pytest; the env's credentials saved in its state dir for a later
 * run (`--test-only` has no compose phase).
 */
export async function gatewayAfterUp(ctx: PhaseContext): Promise<PhaseOutcome> {
  if (!ctx.plan.gatewayEnv) return OK;
  const read = await gatewayByLabels(ctx);
  if (!read.ok) return read;
  const gateway = read.env;
  const lacking = GATEWAY_CREDENTIALS.filter((key) => !gateway[key]);
  if (lacking.length) return { ok: false, reason: `the gateway container's environment lacks ${lacking.join(', ')}` };
  saveCredentials(ctx);
  return { ok: true, binding: Object.freeze({ ...ctx.binding, gateway: Object.freeze({ ...gateway }) }) };
}

function saveCredentials(ctx: PhaseContext): void {
  const vars = ctx.binding.vars;
  const text = Object.keys(CREDENTIALS).map((key) => `${key}=${vars[key] ?? ''}\n`).join('');
  const file = savedCredentials(ctx.plan.root, ctx.env.name);
  try {
    writeFileAtomic(file, text, 0o600);
  } catch (error) {
    ctx.trace(`could not keep the credentials in ${file}: ${(error as Error).message}`);
  }
}
