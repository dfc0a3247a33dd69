// An env's variables from its layers (plan/types.ts EnvLayers), for its planned ports and
// again, at run time, for what only the run can know: its port block moved up `shift`
// rounds because a port was busy, and the host ports its services really published.
// Pure: each binding is a new frozen value; the runner calls `bind`, never the layers.
import type { PortBlock } from '../esb/ports';
import { assignPorts } from '../esb/ports';
import { filterVars, mergeLayers, type Layer, type Vars } from './env';
import type { EnvLayers, EnvPlan, Plan } from './types';

export interface Binding {
  /** Rounds of blocks the env's automatic ports moved up (0: as planned). */
  readonly shift: number;
  /** Host ports its services published, once known. */
  readonly discovered: Readonly<Vars> | null;
  /** A child's env: the base env plus the env's resolved variables. */
  readonly vars: Readonly<Vars>;
  /** The running gateway container's environment, once read (the current layout reads it after compose up). */
  readonly gateway?: Readonly<Vars>;
}

export interface Resolved {
  /** The variables the runner adds to the base env. */
  readonly vars: Vars;
  readonly ports: { readonly values: Record<string, number>; readonly auto: readonly string[] };
}

/** The layers merged and interpolated, with the block moved up `shift` rounds and the discovered ports on top. */
export function resolveLayers(layers: EnvLayers, block: PortBlock, base: Readonly<Vars>, shift: number, discovered: Readonly<Vars>): Resolved {
  const user = { ...layers.file, ...layers.defaults, ...layers.env, ...layers.set };
  const ports = assignPorts(block, user, shift, layers.envWhere.replace(/\.env_vars$/, ''));
  const managed: Vars = { ...layers.managed, ...layers.credentials };
  for (const [k, v] of Object.entries(ports.values)) managed[k] = String(v);
  Object.assign(managed, discovered);
  const stack: Layer[] = [
    { vars: base, where: (k) => `environment: ${k}`, interpolate: false },
    { vars: layers.file, where: (k) => `${layers.fileWhere}: ${k}`, interpolate: true },
    { vars: layers.defaults, where: (k) => `${layers.defaultsWhere}.${k}`, interpolate: true },
    { vars: layers.env, where: (k) => `${layers.envWhere}.${k}`, interpolate: true },
    { vars: managed, where: (k) => k, interpolate: false },
    { vars: layers.set, where: (k) => `--set ${k}`, interpolate: true },
  ];
  const all = mergeLayers(stack);
  for (const key of layers.removed) delete all[key];
  // The runner adds these to the base env: drop what only the base env supplied.
  const vars = filterVars(all, (k) => !(k in base) || stack.slice(1).some((l) => k in l.vars));
  return { vars, ports: { values: ports.values, auto: [...ports.auto] } };
}

/** The env as planned: its planned ports, nothing discovered yet. */
export function planned(plan: Plan, env: EnvPlan): Binding {
  return Object.freeze({ shift: 0, discovered: null, vars: Object.freeze({ ...plan.base, ...env.env }) });
}

/**
 * The env with its block moved up `shift` rounds and/or with the ports its services
 * published. When neither changes a value, the variables are `from`'s (resolving is a few
 * milliseconds of an env's critical path).
 */
export function bind(plan: Plan, env: EnvPlan, from: Binding, change: { readonly shift?: number; readonly discovered?: Readonly<Vars> }): Binding {
  const shift = change.shift ?? from.shift;
  const discovered = change.discovered ? Object.freeze({ ...change.discovered }) : from.discovered;
  const same =
    shift === from.shift &&
    Object.entries(discovered ?? {}).every(([k, v]) => from.vars[k] === v) &&
    Object.entries(from.discovered ?? {}).every(([k, v]) => discovered?.[k] === v);
  const gateway = from.gateway ? { gateway: from.gateway } : {};
  if (same) return Object.freeze({ shift, discovered, vars: from.vars, ...gateway });
  const resolved = resolveLayers(env.layers, env.block, plan.base, shift, discovered ?? {});
  return Object.freeze({ shift, discovered, vars: Object.freeze({ ...plan.base, ...resolved.vars }), ...gateway });
}
