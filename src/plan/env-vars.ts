// Planning step: an env's variables. Its layers (env file, defaults.env_vars, its env_vars,
// the managed keys, generated credentials, --set) and its port block, resolved once for
// the planned ports; plan/bind.ts resolves them again when the run moves or discovers ports.
import { ConfigError } from '../errors';
import { credentials, managedVars, replacedByManaged, type Layout, type ManagedContext } from '../esb/conventions';
import { savedCredentials } from '../esb/current';
import type { Mode } from '../esb/layout';
import { DEFAULT_PORT_BLOCK, type PortBlock } from '../esb/ports';
import { display } from '../format';
import { resolveLayers, type Resolved } from './bind';
import { parseEnvFile, type Vars } from './env';
import type { EnvPaths } from './matrix';
import { readEnvFile, type Scope } from './scope';
import type { EnvLayers } from './types';

export interface EnvVars {
  readonly layers: EnvLayers;
  readonly block: PortBlock;
  readonly resolved: Resolved;
}

export function planEnvVars(scope: Scope, name: string, i: number, paths: EnvPaths, mode: Mode): EnvVars {
  const { matrix } = scope.loaded;
  const entry = matrix.matrix[i]!;
  const at = scope.loaded.at;
  const envWhere = `${at(['matrix', i, 'env_vars'])}: matrix[${i}].env_vars`;
  const defaultsWhere = `${at(['defaults', 'env_vars'])}: defaults.env_vars`;
  const file = branded(scope.layout.brand, paths.envFile ? parseEnvFile(readEnvFile(scope.ctx.reader, paths.envFile, scope.root)) : {});
  const defaults = matrix.defaults?.env_vars ?? {};
  const own = entry.env_vars ?? {};
  const sources = [[defaults, defaultsWhere], [own, envWhere]] as const;
  const { layout } = scope;
  if (layout.oneRegistryPort) for (const [vars, where] of sources) checkRegistryPort(vars, where, scope.registryPort);
  const user = { ...file, ...defaults, ...own };
  const managed = managedVars(layout, managedContext(scope, name, i, paths, mode, user));
  for (const [vars, where] of sources) noteReplaced(layout, vars, where, managed.vars, scope.notices);
  const layers: EnvLayers = {
    file,
    fileWhere: paths.envFile ? display(scope.root, paths.envFile) : '',
    defaults,
    defaultsWhere,
    env: own,
    envWhere,
    managed: managed.vars,
    removed: managed.removed,
    credentials: credentials({ ...user, ...scope.set }, scope.ctx.random, saved(scope, name)),
    set: scope.set,
  };
  const block: PortBlock = {
    vars: scope.portVars,
    base: matrix.port_base ?? layout.portBase,
    block: matrix.port_block ?? DEFAULT_PORT_BLOCK,
    index: scope.allEnvs.indexOf(name),
    envCount: scope.allEnvs.length,
  };
  return { layers, block, resolved: resolveLayers(layers, block, scope.base, 0, {}) };
}

/** `<brand>` in the env file's values replaced by the layout's brand, as its runner does. */
function branded(brand: string | null, vars: Vars): Vars {
  if (!brand) return vars;
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replaceAll('<brand>', brand)]));
}

function managedContext(scope: Scope, name: string, i: number, paths: EnvPaths, mode: Mode, user: Readonly<Vars>): ManagedContext {
  const entry = scope.loaded.matrix.matrix[i]!;
  return {
    env: name,
    mode,
    root: scope.root,
    composeFile: display(scope.root, paths.composeFiles[0]!),
    subnetSlot: scope.slots.get(name)!,
    registryPort: scope.registryPort,
    tag: { ci: scope.ci, gitSha: scope.ctx.gitSha, now: scope.ctx.now },
    dirs: scope.dirs,
    cliCmd: scope.branding.CLI_CMD || 'esb',
    envPrefix: scope.branding.ENV_PREFIX || 'ESB',
    dockerHost: entry.docker_host,
    dockerContext: entry.docker_context,
    md5: (p) => scope.ctx.reader.md5(p),
    userCertDir: user.CERT_DIR || undefined,
    user,
    esbProject: entry.esb_project ?? 'esb',
    withProxy: (user.E2E_WITH_PROXY ?? scope.base.E2E_WITH_PROXY) === '1',
  };
}

/** One registry serves every env: a matrix value naming another port is an error. */
function checkRegistryPort(vars: Readonly<Vars>, where: string, registryPort: number): void {
  if (vars.PORT_REGISTRY !== undefined && Number(vars.PORT_REGISTRY) !== registryPort) {
    throw new ConfigError(
      `${where}.PORT_REGISTRY: ${vars.PORT_REGISTRY} differs from the run's registry port ${registryPort}; one registry serves every env (set it with --set PORT_REGISTRY=<port>)`,
    );
  }
}

/** The current layout reuses the credentials a run kept in the env's state dir (a reset wipes them). */
function saved(scope: Scope, name: string): Vars {
  if (scope.layout.name !== 'current') return {};
  const file = savedCredentials(scope.root, name);
  return scope.ctx.reader.kind(file) === 'file' ? parseEnvFile(readEnvFile(scope.ctx.reader, file, scope.root)) : {};
}

function noteReplaced(layout: Layout, vars: Readonly<Vars>, where: string, managed: Readonly<Vars>, notices: string[]): void {
  for (const key of Object.keys(vars)) {
    if (key in managed && replacedByManaged(layout, key) && vars[key] !== managed[key]) {
      notices.push(`${where}.${key} is managed by esb-e2e and replaced by ${JSON.stringify(managed[key])} (use --set ${key}=... to force it)`);
    }
  }
}
