// Planning step: one selected env -> its EnvPlan: paths and mode, variables (env-vars.ts),
// what pytest runs, the deploy templates, the programs, state dirs, timeouts, waits, files.
import { join, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors';
import { DEFAULT_TEMPLATE, DEFAULT_TIMEOUTS, composeProject, inferMode, isInside, type Mode } from '../esb/layout';
import { artifactPlan, ctlProgram } from './artifact';
import { display } from '../format';
import type { ProjectReader } from '../io/reader';
import type { Vars } from './env';
import { planEnvVars } from './env-vars';
import { envPaths } from './matrix';
import { PHASES, type PhaseName } from './phases';
import type { Scope } from './scope';
import type { Selected } from './select';
import type { EnvPlan } from './types';

export function planEnv(scope: Scope, { name, i, suites }: Selected): EnvPlan {
  const { matrix } = scope.loaded;
  const entry = matrix.matrix[i]!;
  const paths = envPaths(scope.loaded, i, scope.ctx.reader);
  const mode = entry.mode ?? matrix.defaults?.mode ?? modeOf(scope, i, paths);
  const { layers, block, resolved } = planEnvVars(scope, name, i, paths, mode);
  const waitList = entry.wait ?? matrix.defaults?.wait;
  const dirs = scope.layout.stateDirs(scope.root, name, scope.dirs);
  const current = scope.layout.name === 'current';
  const testPlan = tests(scope, suites);
  for (const d of dirs) {
    if (!isInside(d, scope.roots)) throw new ConfigError(`${name}: state dir ${d} is outside the project root and the ESB cache; refusing to plan a reset that wipes it`);
  }
  return {
    name,
    mode,
    project: composeProject(name),
    envDir: paths.envDir,
    composeFiles: paths.composeFiles,
    composeBuilds: paths.composeFiles.some((f) => canBuild(scope.ctx.reader, f)),
    envFile: paths.envFile ?? null,
    suites,
    ...testPlan,
    deployTemplates: current ? [] : templates(scope, i),
    artifact: current ? artifactPlan(scope, i, resolved.vars) : null,
    ports: resolved.ports.values,
    autoPorts: resolved.ports.auto,
    block,
    timeouts: { ...DEFAULT_TIMEOUTS, ...matrix.defaults?.timeouts, ...entry.timeouts, ...scope.options.timeouts },
    phases: phases(scope, current && testPlan.targets.length === 0),
    wait: (waitList ?? []).map((w) => ({ url: w.url, timeout: w.timeout })),
    gatewayWait: waitList === undefined,
    log: join(scope.logDir, `.parallel-${name}.log`),
    composeLog: join(scope.logDir, `.parallel-${name}.compose.log`),
    junit: join(scope.logDir, `.junit-${name}.xml`),
    stateDirs: dirs,
    dockerHost: entry.docker_host ?? null,
    dockerContext: entry.docker_context ?? null,
    ...programs(scope, resolved.vars),
    ctl: ctlProgram(scope),
    env: resolved.vars,
    layers,
  };
}

/** pytest's targets, --ignore paths and -m markers, from the env's suites (or --test-target). */
function tests(scope: Scope, suites: readonly string[]): Pick<EnvPlan, 'targets' | 'excludes' | 'markers'> {
  const fromMatrix = (p: string) => display(scope.root, resolve(scope.loaded.dir, p));
  const defs = suites.map((s) => scope.loaded.matrix.suites[s]!);
  const target = scope.options.testTarget;
  const targets = target !== undefined ? [checkedTarget(scope.root, target, scope.ctx.reader)] : unique(defs.flatMap((s) => s.targets.map(fromMatrix)));
  const excludes = unique(defs.flatMap((s) => s.exclude.map(fromMatrix)));
  const markerSet = defs.map((s) => s.markers?.trim() || null);
  const distinct = unique(markerSet.filter((m): m is string => m !== null));
  // A suite without markers runs everything: then no -m at all.
  const markers = markerSet.includes(null) ? null : distinct.length === 1 ? distinct[0]! : distinct.map((m) => `(${m})`).join(' or ');
  return { targets, excludes, markers };
}

/** The env's deploy templates; each must exist unless only tests run. */
function templates(scope: Scope, i: number): string[] {
  const { matrix, dir } = scope.loaded;
  const entry = matrix.matrix[i]!;
  const listed = entry.deploy_templates ?? matrix.defaults?.deploy_templates;
  const files = listed?.map((t) => resolve(dir, t)) ?? [resolve(scope.root, DEFAULT_TEMPLATE)];
  if (scope.options.testOnly || scope.options.takingDown) return files;
  for (const t of files) {
    if (scope.ctx.reader.kind(t) === 'file') continue;
    const at = scope.loaded.at;
    const key = entry.deploy_templates
      ? `${at(['matrix', i, 'deploy_templates'])}: matrix[${i}].deploy_templates`
      : matrix.defaults?.deploy_templates
        ? `${at(['defaults', 'deploy_templates'])}: defaults.deploy_templates`
        : `${at(['matrix', i])}: matrix[${i}] (no deploy_templates: the default ${DEFAULT_TEMPLATE} of the project root)`;
    throw new ConfigError(`${key}: deploy template not found: ${display(scope.root, t)}`);
  }
  return files;
}

/** `noTests`: the current layout skips pytest for an env with no targets. */
function phases(scope: Scope, noTests: boolean): Record<PhaseName, 'run' | 'skip'> {
  const { testOnly, buildOnly } = scope.options;
  const skip = (p: PhaseName) => (testOnly && p !== 'test') || ((buildOnly || noTests) && p === 'test');
  return Object.fromEntries(PHASES.map((p) => [p, skip(p) ? 'skip' : 'run'])) as Record<PhaseName, 'run' | 'skip'>;
}

/**
 * The env's mode when the matrix does not say: legacy, from its dir and compose file names;
 * current, as its runner does: containerd when `env_dir` or `env_file` (as written, or their
 * defaults) holds "containerd" or "firecracker".
 */
function modeOf(scope: Scope, i: number, paths: { envDir: string; composeFiles: string[] }): Mode {
  if (scope.layout.name !== 'current') return inferMode(paths.envDir, paths.composeFiles);
  const entry = scope.loaded.matrix.matrix[i]!;
  const envDir = entry.env_dir ?? scope.loaded.names[i]!;
  const envFile = entry.env_file ?? `e2e/environments/${envDir}/.env`;
  return /containerd|firecracker/.test(`${envDir} ${envFile}`) ? 'containerd' : 'docker';
}

/** `<esb>`: ESB_CLI/ESB_BIN, else matrix `esb`, else CLI_CMD of config/defaults.env; `<python>` likewise. */
function programs(scope: Scope, vars: Readonly<Vars>): { esb: string; python: string } {
  const { matrix, dir } = scope.loaded;
  const base = scope.base;
  const envProgram = vars.ESB_CLI || vars.ESB_BIN || base.ESB_CLI || base.ESB_BIN;
  const esb = envProgram ? programPath(scope.root, envProgram) : matrix.esb ? programPath(dir, matrix.esb) : scope.branding.CLI_CMD || 'esb';
  const python = vars.E2E_PYTHON || base.E2E_PYTHON || (matrix.python ? programPath(dir, matrix.python) : 'python3');
  return { esb, python };
}

/** Does this compose file build, include or extend anything? Unreadable counts as yes. */
function canBuild(reader: ProjectReader, file: string): boolean {
  try {
    return /^\s*(build|include|extends)\s*:/m.test(reader.readText(file));
  } catch {
    return true;
  }
}

function checkedTarget(root: string, target: string, reader: ProjectReader): string {
  const path = resolve(root, target.split('::')[0]!);
  if (reader.kind(path) === undefined) throw new UsageError(`--test-target: ${target} not found`);
  return target.includes('::') ? `${display(root, path)}::${target.split('::').slice(1).join('::')}` : display(root, path);
}

function programPath(base: string, program: string): string {
  return program.includes('/') ? resolve(base, program) : program;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
