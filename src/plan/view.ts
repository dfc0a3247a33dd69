// How `esb-e2e plan` shows a Plan: a readable table, JSON, or a GitHub Actions matrix.
import { display, table } from '../format';
import { Masker, maskVars } from '../mask';
import type { Plan } from './types';

export function planTable(plan: Plan): string {
  const rows = plan.envs.map((env) => [
    env.name,
    env.mode,
    env.suites.join(','),
    env.targets.join(' '),
    env.project,
    Object.entries(env.ports)
      .map(([k, v]) => `${k.replace(/^PORT_/, '')}=${v}`)
      .join(' '),
    display(plan.root, env.log),
  ]);
  const lines = [
    `matrix: ${display(plan.root, plan.matrixFile)}`,
    `jobs: ${plan.jobs}   log dir: ${display(plan.root, plan.logDir)}   registry: ${plan.infra ? `${plan.infra.readyUrl} (${display(plan.root, plan.infra.composeFile)})` : 'none'}`,
    '',
    ...table(['env', 'mode', 'suites', 'targets', 'compose project', 'ports', 'log file'], rows),
  ];
  for (const env of plan.envs) {
    const extra: string[] = [];
    if (env.dockerHost) extra.push(`docker host ${new Masker([]).mask(env.dockerHost)}`);
    if (env.dockerContext) extra.push(`docker context ${env.dockerContext}`);
    const skipped = Object.entries(env.phases).filter(([, v]) => v === 'skip').map(([k]) => k);
    if (skipped.length) extra.push(`skips ${skipped.join(', ')}`);
    if (extra.length) lines.push(`${env.name}: ${extra.join('; ')}`);
  }
  for (const notice of plan.notices) lines.push(`note: ${notice}`);
  return lines.join('\n') + '\n';
}

/** The plan as JSON: everything but the base env, secrets masked. */
export function planJson(plan: Plan): string {
  const masker = Masker.forVars(...plan.envs.map((e) => e.env));
  const envs = plan.envs.map(({ layers: _layers, block: _block, ...env }) => ({ ...env, env: maskVars(env.env) }));
  const { base: _base, ...rest } = plan;
  // Every string, not only env values: wait URLs and docker hosts may carry credentials.
  return JSON.stringify({ ...rest, envs }, (_key, value: unknown) => (typeof value === 'string' ? masker.mask(value) : value), 2) + '\n';
}

export function githubMatrix(plan: Plan): string {
  return JSON.stringify({ include: plan.envs.map((env) => ({ env: env.name })) }) + '\n';
}
