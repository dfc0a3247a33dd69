// The test phase: pytest with the env's explicit env plus the URLs its suite reads (from
// the ports its services published) and the gateway container's own variables.
import { gatewayContainer } from '../esb/layout';
import { pytestVars } from '../esb/conventions';
import { display } from '../format';
import { envListVars } from '../io/docker-api';
import type { EnvPlan, Plan } from '../plan/types';
import { dockerArgv } from './compose-cli';
import { CANCELLED, OK, askEngine, failed, type PhaseContext, type PhaseOutcome } from './context';
import { discoverPorts } from './discover';
import type { PytestProgress } from './pytest-progress';

export const PYTHON_SETTING = 'E2E_PYTHON or matrix `python`';

export function pytestArgv(plan: Plan, env: EnvPlan): string[] {
  return [
    env.python,
    '-m',
    'pytest',
    ...env.targets,
    '-v',
    ...env.excludes.flatMap((x) => ['--ignore', x]),
    ...(env.markers ? ['-m', env.markers] : []),
    '--junitxml',
    display(plan.root, env.junit),
    ...plan.pytestArgs,
  ];
}

/** Variables read from the running gateway container (CONTAINERS_NETWORK, GATEWAY_INTERNAL_URL, ...). */
async function gatewayEnv(ctx: PhaseContext): Promise<Record<string, string>> {
  if (!ctx.plan.gatewayEnv) return {};
  const container = gatewayContainer(ctx.env.project);
  const asked = await askEngine(ctx, async (api) => {
    const env = await api.containerEnv(container, ctx.signal);
    ctx.trace(`env of ${container} (${api.endpoint}): ${env ? `${Object.keys(env).length} variables` : 'no such container'}`);
    return env ?? {};
  });
  if (asked) return asked;
  const result = await ctx.run(dockerArgv(ctx.env, 'inspect', '--format', '{{json .Config.Env}}', container), {
    capture: true,
    quiet: true,
  });
  if (!result.ok) return {};
  try {
    return envListVars(JSON.parse(result.stdout.trim()) as string[]);
  } catch {
    return {};
  }
}

export async function test(phase: PhaseContext, progress: PytestProgress): Promise<PhaseOutcome> {
  let ctx = phase;
  // --test-only: compose did not run here, so its ports are found now.
  if (!ctx.binding.discovered && ctx.plan.publishedPorts.length) {
    const found = await discoverPorts(ctx);
    if (!found.ok) return found;
    ctx = ctx.rebind(found.binding!);
  }
  const outcome = await runPytest(ctx, progress);
  return ctx === phase ? outcome : { ...outcome, binding: ctx.binding };
}

async function runPytest(ctx: PhaseContext, progress: PytestProgress): Promise<PhaseOutcome> {
  const gateway = await gatewayEnv(ctx);
  const extra = pytestVars(ctx.binding.vars, gateway);
  if (ctx.signal.aborted) return CANCELLED;
  const result = await ctx.run(pytestArgv(ctx.plan, ctx.env), {
    env: extra,
    setting: PYTHON_SETTING,
    onLines: (lines, text) => {
      if (!progress.mayMatter(text, lines)) return;
      for (const line of lines) if (progress.push(line)) ctx.progress(progress.current, progress.counts);
    },
  });
  if (result.ok) return OK;
  if (result.exitCode === 5) return { ok: false, reason: 'pytest collected no tests' };
  if (result.exitCode === 1) {
    const { failed: f, errors } = progress.counts;
    const parts = [f && `${f} failed`, errors && `${errors} errors`].filter(Boolean).join(', ');
    return { ok: false, reason: `pytest: ${parts || 'tests failed'}` };
  }
  return failed(result, 'pytest');
}
