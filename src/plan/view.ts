// How `esb-e2e plan` shows a Plan: a readable table, JSON, or a GitHub Actions matrix.
import { GENERATION_TEXT } from '../esb/generation';
import { display, table, wrap } from '../format';
import { Masker, maskVars } from '../mask';
import type { EnvPlan, Plan } from './types';

/**
 * The plan as `esb-e2e plan` prints it, in `width` columns (the terminal's, 100 by
 * default): a table of the envs, then each env's details wrapped under its name. `--json`
 * has everything, unabridged.
 */
export function planTable(plan: Plan, width = 100): string {
  const rows = plan.envs.map((env) => [env.name, env.mode, env.suites.join(','), env.project, portRange(Object.values(env.ports))]);
  const lines = [
    ...wrap(`matrix: ${display(plan.root, plan.matrixFile)}`, width),
    ...wrap(`ESB layout: ${GENERATION_TEXT[plan.generation]}`, width, '  '),
    ...wrap(`jobs: ${plan.jobs}   log dir: ${display(plan.root, plan.logDir)}`, width),
    ...wrap(`registry: ${plan.infra ? `${plan.infra.readyUrl} (${display(plan.root, plan.infra.composeFile)})` : 'none'}`, width),
    '',
    ...fitTable(['env', 'mode', 'suites', 'compose project', 'ports'], rows, width),
  ];
  for (const env of plan.envs) lines.push('', env.name, ...details(plan, env, width));
  for (const notice of plan.notices) lines.push(...wrap(`note: ${notice}`, width, '      '));
  return lines.join('\n') + '\n';
}

/** An env's details, `label  value` lines, each wrapped under its value. */
function details(plan: Plan, env: EnvPlan, width: number): string[] {
  const items: [string, string][] = [
    ...deployItems(plan, env),
    ['targets', env.targets.join(' ') || '(none: no test phase)'],
    ['ports', Object.entries(env.ports).map(([k, v]) => `${k.replace(/^PORT_/, '')}=${v}`).join(' ')],
    ['log', display(plan.root, env.log)],
  ];
  if (env.dockerHost) items.push(['docker', `host ${new Masker([]).mask(env.dockerHost)}`]);
  if (env.dockerContext) items.push(['docker', `context ${env.dockerContext}`]);
  const skipped = Object.entries(env.phases).filter(([, v]) => v === 'skip').map(([k]) => k);
  if (skipped.length) items.push(['skips', skipped.join(', ')]);
  const indent = ' '.repeat(11);
  return items.flatMap(([label, value]) => wrap(value, width, indent, `  ${label.padEnd(7)}  `));
}

/** What the env deploys: its templates (legacy), or its artifact manifest and fixture images (current). */
function deployItems(plan: Plan, env: EnvPlan): [string, string][] {
  if (!env.artifact) return [['deploy', env.deployTemplates.map((t) => display(plan.root, t)).join(' ')]];
  const { manifest, problem, images, shim } = env.artifact;
  const items: [string, string][] = [['deploy', `${display(plan.root, manifest)} (ctl ${display(plan.root, env.ctl)})`]];
  if (problem) items.push(['problem', problem]);
  if (images.length) items.push(['images', images.map((i) => i.image).join(' ') + (shim ? ` (on ${shim.image})` : '')]);
  return items;
}

/** `33000-33007` for a block of consecutive ports, else the ports. */
function portRange(ports: readonly number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const consecutive = sorted.every((p, i) => i === 0 || p === sorted[i - 1]! + 1);
  return consecutive && sorted.length > 1 ? `${sorted[0]}-${sorted.at(-1)}` : sorted.join(' ');
}

/**
 * The table, its widest column cut (with …) until every line fits `width`; a table that
 * cannot fit even so has its lines cut at the width.
 */
function fitTable(header: readonly string[], rows: readonly string[][], width: number): string[] {
  let cells = rows.map((r) => [...r]);
  for (;;) {
    const lines = table(header, cells);
    if (lines.every((l) => l.length <= width)) return lines;
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
    const widest = widths.indexOf(Math.max(...widths));
    const cut = Math.max(header[widest]!.length, widths[widest]! - 1);
    if (cut >= widths[widest]!) return lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    cells = cells.map((r) => r.map((c, i) => (i === widest && c.length > cut ? `${c.slice(0, cut - 1)}…` : c)));
  }
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
