// Matrix + options -> a deep-frozen Plan. Pure: it reads the project only through the
// injected ProjectReader, takes randomness and time as inputs, writes nothing, spawns
// nothing and never touches process.env. Equal input gives deep-equal plans.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, UsageError, unknownName } from './errors';
import {
  DEFAULT_INFRA_CONTAINER,
  DEFAULT_INFRA_FILE,
  DEFAULT_PORT_BASE,
  DEFAULT_PORT_BLOCK,
  DEFAULT_PORT_VARS,
  DEFAULT_REGISTRY_PORT,
  DEFAULT_TEMPLATE,
  DEFAULT_TIMEOUTS,
  PUBLISHED_PORTS,
  REGISTRY_CONTAINER_PORT,
  assignPorts,
  composeProject,
  credentials,
  esbHome,
  forcedVars,
  inferMode,
  isInside,
  isManagedKey,
  stagingConfigDir,
  stateRoots,
  subnetSlots,
  type Mode,
  type PortBlock,
  type PublishedPort,
  type RandomHex,
} from './esb';
import { expand, filterVars, mergeLayers, parseEnvFile, type Layer, type Vars } from './env';
import { PHASES, envPaths, loadMatrix, type LoadedMatrix, type PhaseName, type Timeouts } from './matrix';
import type { ProjectReader } from './reader';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** What the command line asks for (already validated for shape by the CLI). */
export interface PlanOptions {
  readonly matrix?: string | undefined;
  readonly envs?: readonly string[] | undefined;
  readonly suites?: readonly string[] | undefined;
  readonly shard?: Shard | undefined;
  readonly testTarget?: string | undefined;
  readonly buildOnly?: boolean;
  readonly testOnly?: boolean;
  readonly jobs?: number | undefined;
  readonly timeouts?: Partial<Timeouts>;
  readonly logDir?: string | undefined;
  readonly set?: Readonly<Vars>;
  readonly pytestArgs?: readonly string[];
}

/** Everything planning reads from the outside world, as data. */
export interface PlanContext {
  /** The project root (cwd). */
  readonly root: string;
  /** process.env, read once by the CLI. */
  readonly base: Readonly<Record<string, string | undefined>>;
  readonly reader: ProjectReader;
  readonly random: RandomHex;
  readonly now: Date;
  readonly gitSha?: string | undefined;
}

export interface WaitSpec {
  readonly url: string;
  readonly timeout: number;
}

/** The user-set layers of one env, kept so the runner can resolve again with moved ports. */
export interface EnvInput {
  readonly file: Readonly<Vars>;
  readonly fileWhere: string;
  readonly defaults: Readonly<Vars>;
  readonly env: Readonly<Vars>;
  readonly envWhere: string;
  readonly defaultsWhere: string;
  readonly forced: Readonly<Vars>;
  readonly credentials: Readonly<Vars>;
  readonly block: PortBlock;
  readonly set: Readonly<Vars>;
}

export interface EnvPlan {
  readonly name: string;
  readonly mode: Mode;
  readonly project: string;
  readonly envDir: string;
  readonly composeFiles: readonly string[];
  /** A compose file can build an image (or pull in one that does): up may need --build. */
  readonly composeBuilds: boolean;
  readonly envFile: string | null;
  readonly suites: readonly string[];
  readonly targets: readonly string[];
  readonly excludes: readonly string[];
  readonly markers: string | null;
  readonly deployTemplates: readonly string[];
  readonly ports: Readonly<Record<string, number>>;
  readonly autoPorts: readonly string[];
  readonly timeouts: Readonly<Timeouts>;
  readonly phases: Readonly<Record<PhaseName, 'run' | 'skip'>>;
  readonly wait: readonly WaitSpec[];
  /** ESB default wait: the gateway's https /health, when the gateway publishes that port. */
  readonly gatewayWait: boolean;
  readonly log: string;
  readonly composeLog: string;
  readonly junit: string;
  readonly stateDirs: readonly string[];
  readonly dockerHost: string | null;
  readonly dockerContext: string | null;
  readonly esb: string;
  readonly python: string;
  /** Resolved variables the runner adds to the base env (planned ports). */
  readonly env: Readonly<Vars>;
  readonly input: EnvInput;
}

export interface InfraPlan {
  readonly composeFile: string;
  readonly project: string;
  readonly services: readonly string[];
  readonly readyUrl: string;
  readonly readyTimeout: number;
  readonly container: string | null;
  readonly alias: string;
}

export interface Plan {
  readonly root: string;
  readonly matrixFile: string;
  readonly logDir: string;
  readonly jobs: number;
  readonly compose: readonly string[] | null;
  readonly registryPort: number;
  readonly infra: InfraPlan | null;
  readonly publishedPorts: readonly PublishedPort[];
  readonly autoBuild: boolean;
  readonly gatewayEnv: boolean;
  /** Ask a local engine over its socket for read-only facts (ESB_E2E_DOCKER_API, default on). */
  readonly dockerApi: boolean;
  readonly pytestArgs: readonly string[];
  /** The base env without the keys the runner manages. */
  readonly base: Readonly<Vars>;
  readonly envs: readonly EnvPlan[];
  /** Every matrix env, sorted (the port block index is a position in it). */
  readonly allEnvs: readonly string[];
  readonly notices: readonly string[];
}

export const LEGACY_MATRIX = 'e2e/environments/test_matrix.yaml';
export const DEFAULT_MATRIX = 'e2e-matrix.yaml';

/** `--matrix`, else e2e-matrix.yaml in the root, else the legacy ESB layout. */
export function findMatrix(root: string, explicit: string | undefined, reader: ProjectReader): string {
  if (explicit) return resolve(root, explicit);
  for (const candidate of [DEFAULT_MATRIX, LEGACY_MATRIX]) {
    if (reader.kind(resolve(root, candidate)) === 'file') return resolve(root, candidate);
  }
  throw new ConfigError(
    `no matrix file: looked for ${DEFAULT_MATRIX} and ${LEGACY_MATRIX} in ${root} (pass --matrix <file>)`,
  );
}

/** A path as commands show it: relative to the root when inside it. */
export function display(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

export function createPlan(options: PlanOptions, ctx: PlanContext): Plan {
  const root = resolve(ctx.root);
  const matrixFile = findMatrix(root, options.matrix, ctx.reader);
  const loaded = loadMatrix(matrixFile, ctx.reader, display(root, matrixFile));
  return deepFreeze(buildPlan(loaded, options, ctx, root, matrixFile));
}

function buildPlan(loaded: LoadedMatrix, options: PlanOptions, ctx: PlanContext, root: string, matrixFile: string): Plan {
  const { matrix } = loaded;
  const dir = loaded.dir;
  const fromMatrix = (p: string) => resolve(dir, p);
  const shownMatrix = display(root, matrixFile);
  const set = options.set ?? {};
  const notices: string[] = [];

  const portVars = matrix.ports ?? [...DEFAULT_PORT_VARS];
  const base = filterVars(ctx.base, (key) => !isManagedKey(key, portVars) && key !== 'PORT_REGISTRY');
  const registryPort = registryPortOf(set, ctx.base);

  // Selection: --env, --suite, --shard, --test-target.
  const names = loaded.names;
  const allEnvs = [...names].sort();
  let selected = names.map((name, i) => ({ name, i, suites: matrix.matrix[i]!.suites }));
  if (options.envs?.length) {
    for (const wanted of options.envs) {
      if (!names.includes(wanted)) throw new UsageError(`--env: ${unknownName('env', wanted, names)}`);
    }
    selected = selected.filter((e) => options.envs!.includes(e.name));
  }
  if (options.suites?.length) {
    const known = Object.keys(matrix.suites);
    for (const wanted of options.suites) {
      if (!known.includes(wanted)) throw new UsageError(`--suite: ${unknownName('suite', wanted, known)}`);
    }
    selected = selected
      .map((e) => ({ ...e, suites: e.suites.filter((s) => options.suites!.includes(s)) }))
      .filter((e) => e.suites.length > 0);
    if (selected.length === 0) {
      throw new UsageError(`--suite ${options.suites.join(',')}: no selected env runs ${options.suites.length > 1 ? 'these suites' : 'this suite'}`);
    }
  }
  if (options.shard) {
    const { index, count } = options.shard;
    const sorted = [...selected].sort((a, b) => (a.name < b.name ? -1 : 1));
    const mine = new Set(sorted.filter((_, k) => k % count === index - 1).map((e) => e.name));
    selected = selected.filter((e) => mine.has(e.name));
    if (selected.length === 0) notices.push(`shard ${index}/${count} has no env: nothing to run`);
  }
  if (options.testTarget !== undefined && selected.length !== 1) {
    throw new UsageError(
      `--test-target needs exactly one env (got ${selected.length}: ${selected.map((e) => e.name).join(', ') || 'none'}); add --env <name>`,
    );
  }

  const slots = subnetSlots(names);
  const dirs = { home: ctx.base.HOME ?? '/root', xdgCacheHome: ctx.base.XDG_CACHE_HOME || undefined };
  const roots = stateRoots(root, dirs);
  const defaultsFile = resolve(root, 'config', 'defaults.env');
  const branding = ctx.reader.kind(defaultsFile) === 'file' ? parseEnvFile(readOrFail(ctx.reader, defaultsFile, root)) : {};
  const logDir = resolve(root, options.logDir ?? 'e2e');
  const ci = !!ctx.base.CI && ctx.base.CI !== 'false' && ctx.base.CI !== '0';
  const timeoutsBase = { ...DEFAULT_TIMEOUTS, ...matrix.defaults?.timeouts };

  const envs: EnvPlan[] = selected.map(({ name, i, suites }) => {
    const entry = matrix.matrix[i]!;
    const paths = envPaths(loaded, i, ctx.reader);
    const envWhere = `${shownMatrix}: matrix[${i}].env_vars`;
    const defaultsWhere = `${shownMatrix}: defaults.env_vars`;
    const mode = entry.mode ?? matrix.defaults?.mode ?? inferMode(paths.envDir, paths.composeFiles);
    const file = paths.envFile ? parseEnvFile(readOrFail(ctx.reader, paths.envFile, root)) : {};
    const defaults = matrix.defaults?.env_vars ?? {};
    const own = entry.env_vars ?? {};
    for (const [vars, where] of [[defaults, defaultsWhere], [own, envWhere]] as const) {
      if (vars.PORT_REGISTRY !== undefined && Number(vars.PORT_REGISTRY) !== registryPort) {
        throw new ConfigError(
          `${where}.PORT_REGISTRY: ${vars.PORT_REGISTRY} differs from the run's registry port ${registryPort}; one registry serves every env (set it with --set PORT_REGISTRY=<port>)`,
        );
      }
    }
    const user = { ...file, ...defaults, ...own };
    const composeFile = paths.composeFiles[0]!;
    const forced = forcedVars(
      {
        env: name,
        mode,
        root,
        composeFile: display(root, composeFile),
        subnetSlot: slots.get(name)!,
        registryPort,
        tag: { ci, gitSha: ctx.gitSha, now: ctx.now },
        dirs,
        cliCmd: branding.CLI_CMD || 'esb',
        envPrefix: branding.ENV_PREFIX || 'ESB',
        dockerHost: entry.docker_host,
        dockerContext: entry.docker_context,
        md5: (p) => ctx.reader.md5(p),
      },
      user,
    );
    for (const [vars, where] of [[defaults, defaultsWhere], [own, envWhere]] as const) {
      for (const key of Object.keys(vars)) {
        if (key in forced && key !== 'CERT_DIR' && key !== 'PORT_REGISTRY' && vars[key] !== forced[key]) {
          notices.push(`${where}.${key} is managed by esb-e2e and replaced by ${JSON.stringify(forced[key])} (use --set ${key}=... to force it)`);
        }
      }
    }
    const input: EnvInput = {
      file,
      fileWhere: paths.envFile ? display(root, paths.envFile) : '',
      defaults,
      env: own,
      envWhere,
      defaultsWhere,
      forced,
      credentials: credentials({ ...user, ...set }, ctx.random),
      block: {
        vars: portVars,
        base: matrix.port_base ?? DEFAULT_PORT_BASE,
        block: matrix.port_block ?? DEFAULT_PORT_BLOCK,
        index: allEnvs.indexOf(name),
        envCount: allEnvs.length,
      },
      set,
    };
    const resolved = resolveEnvVars(input, base, 0, {});

    const suiteDefs = suites.map((s) => matrix.suites[s]!);
    const targets =
      options.testTarget !== undefined
        ? [checkedTarget(root, options.testTarget, ctx.reader)]
        : unique(suiteDefs.flatMap((s) => s.targets.map((t) => display(root, fromMatrix(t)))));
    const excludes = unique(suiteDefs.flatMap((s) => s.exclude.map((t) => display(root, fromMatrix(t)))));
    const markerSet = suiteDefs.map((s) => s.markers?.trim() || null);
    const markers = markerSet.includes(null)
      ? null
      : unique(markerSet as string[]).length === 1
        ? markerSet[0]!
        : unique(markerSet as string[]).map((m) => `(${m})`).join(' or ');

    const templates = (entry.deploy_templates ?? matrix.defaults?.deploy_templates)?.map(fromMatrix) ?? [resolve(root, DEFAULT_TEMPLATE)];
    if (!options.testOnly) {
      for (const t of templates) {
        if (ctx.reader.kind(t) !== 'file') {
          const key = entry.deploy_templates ? `matrix[${i}].deploy_templates` : matrix.defaults?.deploy_templates ? 'defaults.deploy_templates' : `matrix[${i}] (no deploy_templates: the default ${DEFAULT_TEMPLATE} of the project root)`;
          throw new ConfigError(`${shownMatrix}: ${key}: deploy template not found: ${display(root, t)}`);
        }
      }
    }

    const timeouts: Timeouts = { ...timeoutsBase, ...entry.timeouts, ...options.timeouts };
    const phases = Object.fromEntries(
      PHASES.map((p) => [p, (options.testOnly && p !== 'test') || (options.buildOnly && p === 'test') ? 'skip' : 'run']),
    ) as Record<PhaseName, 'run' | 'skip'>;
    const waitList = entry.wait ?? matrix.defaults?.wait;
    const stateDirs = [stagingConfigDir(name, dirs), esbHome(root, name)];
    for (const d of stateDirs) {
      if (!isInside(d, roots)) throw new ConfigError(`${name}: state dir ${d} is outside the project root and the ESB cache; refusing to plan a reset that wipes it`);
    }
    const envProgram = resolved.vars.ESB_CLI || resolved.vars.ESB_BIN || base.ESB_CLI || base.ESB_BIN;
    const esb = envProgram
      ? programPath(root, envProgram)
      : matrix.esb
        ? programPath(dir, matrix.esb)
        : branding.CLI_CMD || 'esb';
    const python = resolved.vars.E2E_PYTHON || base.E2E_PYTHON || (matrix.python ? programPath(dir, matrix.python) : 'python3');

    return {
      name,
      mode,
      project: composeProject(name),
      envDir: paths.envDir,
      composeFiles: paths.composeFiles,
      composeBuilds: paths.composeFiles.some((f) => canBuild(ctx.reader, f)),
      envFile: paths.envFile ?? null,
      suites,
      targets,
      excludes,
      markers,
      deployTemplates: templates,
      ports: resolved.ports.values,
      autoPorts: resolved.ports.auto,
      timeouts,
      phases,
      wait: (waitList ?? []).map((w) => ({ url: w.url, timeout: w.timeout })),
      gatewayWait: waitList === undefined,
      log: join(logDir, `.parallel-${name}.log`),
      composeLog: join(logDir, `.parallel-${name}.compose.log`),
      junit: join(logDir, `.junit-${name}.xml`),
      stateDirs,
      dockerHost: entry.docker_host ?? null,
      dockerContext: entry.docker_context ?? null,
      esb,
      python,
      env: resolved.vars,
      input,
    };
  });

  checkShared(envs);
  const infra = planInfra(matrix.infra, dir, root, registryPort, ctx.reader, options.testOnly ?? false, notices);
  const jobs = options.jobs ?? Math.max(1, envs.length);

  return {
    root,
    matrixFile,
    logDir,
    jobs,
    compose: matrix.compose ?? null,
    registryPort,
    infra,
    publishedPorts: matrix.published_ports === false ? [] : (matrix.published_ports ?? PUBLISHED_PORTS),
    autoBuild: matrix.auto_build ?? true,
    gatewayEnv: matrix.gateway_env ?? true,
    dockerApi: dockerApiSetting(ctx.base.ESB_E2E_DOCKER_API),
    pytestArgs: options.pytestArgs ?? [],
    base,
    envs,
    allEnvs,
    notices,
  };
}

/**
 * The env's variables with its port block moved up by `shift` blocks and with ports
 * discovered on the running services. Pure; the runner calls it after probing ports
 * and after compose up.
 */
export function resolveEnvVars(
  input: EnvInput,
  base: Readonly<Vars>,
  shift: number,
  discovered: Readonly<Vars>,
): { vars: Vars; ports: { values: Record<string, number>; auto: string[] } } {
  const user = { ...input.file, ...input.defaults, ...input.env, ...input.set };
  const ports = assignPorts(input.block, user, shift, input.envWhere.replace(/\.env_vars$/, ''));
  const managed: Vars = { ...input.forced, ...input.credentials };
  for (const [k, v] of Object.entries(ports.values)) managed[k] = String(v);
  Object.assign(managed, discovered);
  const layers: Layer[] = [
    { vars: base, where: (k) => `environment: ${k}`, interpolate: false },
    { vars: input.file, where: (k) => `${input.fileWhere}: ${k}`, interpolate: true },
    { vars: input.defaults, where: (k) => `${input.defaultsWhere}.${k}`, interpolate: true },
    { vars: input.env, where: (k) => `${input.envWhere}.${k}`, interpolate: true },
    { vars: managed, where: (k) => k, interpolate: false },
    { vars: input.set, where: (k) => `--set ${k}`, interpolate: true },
  ];
  const all = mergeLayers(layers);
  // The runner adds these to the base env: drop what only the base env supplied.
  const vars = filterVars(all, (k) => !(k in base) || layers.slice(1).some((l) => k in l.vars));
  return { vars, ports: { values: ports.values, auto: [...ports.auto] } };
}

/** Two envs never share a compose project, port, network, subnet or state dir. */
function checkShared(envs: readonly EnvPlan[]): void {
  const keys = ['PROJECT_NAME', 'NETWORK_EXTERNAL', 'SUBNET_EXTERNAL', 'LAMBDA_NETWORK', 'CONFIG_DIR', 'ESB_HOME'];
  const owner = new Map<string, string>();
  for (const env of envs) {
    const claims: [string, string][] = Object.entries(env.ports).map(([k, v]) => [`port ${v}`, k]);
    for (const key of keys) if (env.env[key]) claims.push([`${key}=${env.env[key]}`, key]);
    if (env.mode === 'containerd' && env.env.RUNTIME_NET_SUBNET) claims.push([`subnet ${env.env.RUNTIME_NET_SUBNET}`, 'RUNTIME_NET_SUBNET']);
    if (env.env.SUBNET_EXTERNAL) claims.push([`subnet ${env.env.SUBNET_EXTERNAL}`, 'SUBNET_EXTERNAL']);
    const mine = new Set<string>();
    for (const [claim, key] of claims) {
      const other = owner.get(claim);
      if (other && other !== `${env.name}:${key}`) {
        const [otherEnv, otherKey] = other.split(':');
        throw new ConfigError(
          otherEnv === env.name
            ? `env "${env.name}": ${key} and ${otherKey} would both use ${claim.replace(/^\w+=/, '')}`
            : `envs "${otherEnv}" and "${env.name}" would share ${claim} (${otherKey} / ${key}); give each env its own value`,
        );
      }
      if (!mine.has(claim)) owner.set(claim, `${env.name}:${key}`);
      mine.add(claim);
    }
  }
}

function planInfra(
  infra: LoadedMatrix['matrix']['infra'],
  dir: string,
  root: string,
  registryPort: number,
  reader: ProjectReader,
  testOnly: boolean,
  notices: string[],
): InfraPlan | null {
  if (infra === false) return null;
  if (testOnly) return null;
  const readyDefault = `http://127.0.0.1:${registryPort}/v2/`;
  const lookup = (name: string) => (name === 'PORT_REGISTRY' ? String(registryPort) : undefined);
  if (infra) {
    return {
      composeFile: resolve(dir, infra.compose_file),
      project: infra.project,
      services: infra.services,
      readyUrl: infra.ready_url ? expand(infra.ready_url, lookup, 'infra.ready_url') : readyDefault,
      readyTimeout: infra.ready_timeout,
      container: infra.container === null ? null : (infra.container ?? DEFAULT_INFRA_CONTAINER),
      alias: infra.alias,
    };
  }
  const file = resolve(root, DEFAULT_INFRA_FILE);
  if (reader.kind(file) !== 'file') {
    notices.push(`no ${DEFAULT_INFRA_FILE} at the project root: shared registry skipped`);
    return null;
  }
  return {
    composeFile: file,
    project: 'esb-infra',
    services: ['registry'],
    readyUrl: readyDefault,
    readyTimeout: 60,
    container: DEFAULT_INFRA_CONTAINER,
    alias: 'registry',
  };
}

/** Does this compose file build, include or extend anything? Unreadable counts as yes. */
function canBuild(reader: ProjectReader, file: string): boolean {
  try {
    return /^\s*(build|include|extends)\s*:/m.test(reader.readText(file));
  } catch {
    return true;
  }
}

function dockerApiSetting(raw: string | undefined): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  if (['', '1', 'on', 'auto'].includes(value)) return true;
  if (['0', 'off'].includes(value)) return false;
  throw new ConfigError(`environment ESB_E2E_DOCKER_API=${JSON.stringify(raw)}: expected 1 (ask a local engine over its socket, the default) or 0 (always the docker CLI)`);
}

function registryPortOf(set: Readonly<Vars>, base: PlanContext['base']): number {
  const [raw, where] = set.PORT_REGISTRY !== undefined ? [set.PORT_REGISTRY, '--set PORT_REGISTRY'] : [base.PORT_REGISTRY, 'environment PORT_REGISTRY'];
  if (raw === undefined || raw === '' || raw === '0') return DEFAULT_REGISTRY_PORT;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${where}=${JSON.stringify(raw)} is not a port (1-65535)`);
  return n;
}

function readOrFail(reader: ProjectReader, file: string, root: string): string {
  try {
    return reader.readText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`${display(root, file)}: cannot read the env file (${code})`);
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

export { REGISTRY_CONTAINER_PORT };
