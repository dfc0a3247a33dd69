// Planning step: what holds for every env of a run, read once: the matrix, the shell's env
// without the keys the runner manages, the registry port, the port block rules, subnet
// slots, the ESB cache dirs, the project's branding (config/defaults.env), the log dir.
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { isManagedKey, type Layout } from '../esb/conventions';
import { LAYOUTS } from '../esb/layouts';
import { homeDirs, stateRoots, subnetSlots, type HomeDirs } from '../esb/layout';
import { DEFAULT_PORT_VARS, DEFAULT_REGISTRY_PORT } from '../esb/ports';
import { display } from '../format';
import { whyUnreadable, type ProjectReader } from '../io/reader';
import { filterVars, parseEnvFile, type Vars } from './env';
import type { LoadedMatrix } from './matrix';
import type { PlanContext, PlanOptions } from './types';

export interface Scope {
  readonly ctx: PlanContext;
  readonly options: PlanOptions;
  readonly root: string;
  readonly loaded: LoadedMatrix;
  /** The ESB layout's conventions (legacy or current). */
  readonly layout: Layout;
  /** The matrix file as messages show it. */
  readonly shownMatrix: string;
  readonly set: Readonly<Vars>;
  readonly portVars: readonly string[];
  /** The shell's env without the keys the runner manages. */
  readonly base: Readonly<Vars>;
  readonly registryPort: number;
  /** Every matrix env, sorted: the port block index is a position in it. */
  readonly allEnvs: readonly string[];
  readonly slots: ReadonlyMap<string, number>;
  readonly dirs: HomeDirs;
  /** Where reset may wipe: the project root and the ESB cache. */
  readonly roots: readonly string[];
  /** config/defaults.env of the project (CLI_CMD, ENV_PREFIX), when it has one. */
  readonly branding: Readonly<Vars>;
  readonly logDir: string;
  readonly ci: boolean;
  /** Notes gathered while planning, shown by `plan` and at the run's start. */
  readonly notices: string[];
}

export function planScope(loaded: LoadedMatrix, options: PlanOptions, ctx: PlanContext, root: string): Scope {
  const { matrix } = loaded;
  const set = options.set ?? {};
  const portVars = matrix.ports ?? [...DEFAULT_PORT_VARS];
  const dirs = homeDirs(ctx.base);
  const defaultsFile = resolve(root, 'config', 'defaults.env');
  const layout = LAYOUTS[loaded.generation];
  return {
    ctx,
    options,
    root,
    loaded,
    layout,
    shownMatrix: loaded.file,
    set,
    portVars,
    base: filterVars(ctx.base, (key) => !isManagedKey(layout, key, portVars) && key !== 'PORT_REGISTRY'),
    registryPort: registryPortOf(set, ctx.base),
    allEnvs: [...loaded.names].sort(),
    slots: subnetSlots(loaded.names),
    dirs,
    roots: stateRoots(root, dirs),
    branding: ctx.reader.kind(defaultsFile) === 'file' ? parseEnvFile(readEnvFile(ctx.reader, defaultsFile, root)) : {},
    logDir: resolve(root, options.logDir ?? 'e2e'),
    ci: !!ctx.base.CI && ctx.base.CI !== 'false' && ctx.base.CI !== '0',
    notices: [],
  };
}

/** One registry serves the run: `--set PORT_REGISTRY`, else the shell's, else 5010. */
function registryPortOf(set: Readonly<Vars>, base: PlanContext['base']): number {
  const [raw, where] = set.PORT_REGISTRY !== undefined ? [set.PORT_REGISTRY, '--set PORT_REGISTRY'] : [base.PORT_REGISTRY, 'environment PORT_REGISTRY'];
  if (raw === undefined || raw === '' || raw === '0') return DEFAULT_REGISTRY_PORT;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${where}=${JSON.stringify(raw)} is not a port (1-65535)`);
  return n;
}

export function readEnvFile(reader: ProjectReader, file: string, root: string): string {
  try {
    return reader.readText(file);
  } catch (error) {
    throw new ConfigError(`${display(root, file)}: cannot read the env file: ${whyUnreadable(error)}`);
  }
}
