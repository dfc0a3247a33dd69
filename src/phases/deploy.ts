// The deploy phase: `esb deploy` once per template, with the env's explicit env and
// ESB_META_REUSE=1.
import { display } from '../format';
import type { EnvPlan, Plan } from '../plan/types';
import { OK, failed, type PhaseContext, type PhaseOutcome } from './context';

export const ESB_SETTING = 'ESB_CLI in the env or matrix `esb`';

export function deployArgv(plan: Plan, env: EnvPlan, template: string, opts: { verbose: boolean; noCache: boolean }): string[] {
  return [
    env.esb,
    ...(env.envFile ? ['--env-file', display(plan.root, env.envFile)] : []),
    '--template',
    display(plan.root, template),
    'deploy',
    ...(opts.verbose ? ['--verbose'] : []),
    '--no-save-defaults',
    '--env',
    env.name,
    '--mode',
    env.mode,
    ...(opts.noCache ? ['--no-cache'] : []),
  ];
}

export async function deploy(ctx: PhaseContext): Promise<PhaseOutcome> {
  for (const template of ctx.env.deployTemplates) {
    const argv = deployArgv(ctx.plan, ctx.env, template, ctx.options);
    const result = await ctx.run(argv, { env: { ESB_META_REUSE: '1' }, setting: ESB_SETTING });
    if (!result.ok) return failed(result, `deploy ${display(ctx.plan.root, template)}`);
  }
  return OK;
}
