// The test phase: pytest with the env's explicit env plus the URLs its suite reads (from
// the ports its services published) and the gateway container's own variables.
import { LAYOUTS } from '../esb/layouts';
import { display } from '../format';
import type { EnvPlan, Plan } from '../plan/types';
import { CANCELLED, OK, failed, type PhaseContext, type PhaseOutcome } from './context';
import { STEPS, stepsOf } from './steps';
import { discoverPorts } from './discover';
import type { PytestProgress } from './pytest-progress';

export const PYTHON_SETTING = 'E2E_PYTHON or matrix `python`';

export function pytestArgv(plan: Plan, env: EnvPlan): string[] {
  return [
    env.python,
    '-m',
    'pytest',
    ...STEPS[plan.generation].pytestLead(plan, env),
    ...env.targets,
    '-v',
    ...env.excludes.flatMap((x) => ['--ignore', x]),
    ...(env.markers ? ['-m', env.markers] : []),
    '--junitxml',
    display(plan.root, env.junit),
    ...plan.pytestArgs,
  ];
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
  const gateway = await stepsOf(ctx).gateway(ctx);
  const extra = LAYOUTS[ctx.plan.generation].pytestVars(ctx.binding.vars, gateway, { discovered: ctx.binding.discovered, certDir: ctx.plan.certDir });
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
