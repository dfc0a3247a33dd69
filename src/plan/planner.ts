// Matrix + options -> a deep-frozen Plan, in named steps: find and load the matrix, read
// what holds for the whole run (scope), select envs, plan each env, check what envs must
// not share, plan the shared registry. Pure: it reads the project only through the
// injected ProjectReader, takes randomness and time as inputs, writes nothing, spawns
// nothing and never touches process.env. Equal input gives deep-equal plans.
import { resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors';
import type { GenerationName } from '../esb/generation';
import { JAVA_PROOF_SOURCE, PROXY_LOGS, PROXY_PORT, proxyUrl, proxyVars } from '../esb/proxy';
import { DEFAULT_INFRA_CONTAINER } from '../esb/layout';
import { PUBLISHED_PORTS } from '../esb/published';
import { display } from '../format';
import type { ProjectReader } from '../io/reader';
import { buildersOf, ctlPlan } from './artifact';
import { checkEnvLimits, checkShared } from './checks';
import { planEnv } from './env-plan';
import { planInfra } from './infra';
import { loadMatrix } from './matrix';
import { planScope } from './scope';
import { selectEnvs } from './select';
import type { Plan, PlanContext, PlanOptions, ProxyPlan } from './types';

export const LEGACY_MATRIX = 'e2e/environments/test_matrix.yaml';
export const DEFAULT_MATRIX = 'e2e-matrix.yaml';

/** `--matrix`, else e2e-matrix.yaml in the root, else the legacy ESB layout. */
export function findMatrix(root: string, explicit: string | undefined, reader: ProjectReader): string {
  if (explicit) return resolve(root, explicit);
  for (const candidate of [DEFAULT_MATRIX, LEGACY_MATRIX]) {
    if (reader.kind(resolve(root, candidate)) === 'file') return resolve(root, candidate);
  }
  throw new ConfigError(`no matrix file: looked for ${DEFAULT_MATRIX} and ${LEGACY_MATRIX} in ${root} (pass --matrix <file>)`);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

export function createPlan(options: PlanOptions, given: PlanContext): Plan {
  const root = resolve(given.root);
  const matrixFile = findMatrix(root, options.matrix, given.reader);
  const loaded = loadMatrix(matrixFile, given.reader, display(root, matrixFile), options.esb);
  const host = options.proxyHost;
  if (host !== undefined) assertProxyLayout(loaded.generation);
  // With --with-proxy the runner's own env carries the proxy: every layer above sees it.
  const ctx = host === undefined ? given : { ...given, base: { ...given.base, ...proxyVars(given.base, host) } };
  const scope = planScope(loaded, options, ctx, root);
  const envs = selectEnvs(loaded, options, scope.notices).map((selected) => planEnv(scope, selected));
  checkShared(envs, loaded.generation);
  const current = loaded.generation === 'current';
  for (const env of envs) checkEnvLimits(env, scope.base);
  const { matrix } = loaded;
  const container = current ? ctx.base.REGISTRY_CONTAINER_NAME || DEFAULT_INFRA_CONTAINER : undefined;
  const infra = planInfra(matrix.infra, loaded.dir, root, scope.registryPort, ctx.reader, options.testOnly ?? false, scope.notices, container);
  return deepFreeze({
    root,
    generation: loaded.generation,
    ctl: current ? ctlPlan(scope, envs[0]?.python ?? 'python3') : null,
    builders: current ? buildersOf(envs) : [],
    proxy: host === undefined ? null : proxyPlan(host, scope.base, root, scope.logDir),
    certDir: resolve(root, ctx.base.CERT_DIR || '.esb/certs'),
    buildOnly: options.buildOnly ?? false,
    matrixFile,
    logDir: scope.logDir,
    jobs: options.jobs ?? Math.max(1, envs.length),
    compose: matrix.compose ?? null,
    registryPort: scope.registryPort,
    infra,
    publishedPorts: matrix.published_ports === false ? [] : (matrix.published_ports ?? PUBLISHED_PORTS),
    autoBuild: matrix.auto_build ?? true,
    gatewayEnv: matrix.gateway_env ?? true,
    dockerApi: dockerApiSetting(ctx.base.ESB_E2E_DOCKER_API),
    pytestArgs: options.pytestArgs ?? [],
    base: scope.base,
    envs,
    allEnvs: scope.allEnvs,
    notices: scope.notices,
  });
}

/** --with-proxy is ESB's current layout's: a usage error on any other. */
export function assertProxyLayout(generation: GenerationName): void {
  if (generation !== 'current') throw new UsageError("--with-proxy: only ESB's current layout runs behind the proxy (this matrix is for the legacy layout; --esb current forces the current one)");
}

/** `--with-proxy`: the proxy on its host, its logs beside the envs'. */
function proxyPlan(host: string, base: Readonly<Record<string, string>>, root: string, logDir: string): ProxyPlan {
  return {
    host,
    port: PROXY_PORT,
    url: proxyUrl(host),
    noProxy: base.NO_PROXY ?? '',
    javaSource: resolve(root, JAVA_PROOF_SOURCE),
    log: resolve(logDir, `.parallel-${PROXY_LOGS[0]}.log`),
    proofLog: resolve(logDir, `.parallel-${PROXY_LOGS[1]}.log`),
  };
}

function dockerApiSetting(raw: string | undefined): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  if (['', '1', 'on', 'auto'].includes(value)) return true;
  if (['0', 'off'].includes(value)) return false;
  throw new ConfigError(`environment ESB_E2E_DOCKER_API=${JSON.stringify(raw)}: expected 1 (ask a local engine over its socket, the default) or 0 (always the docker CLI)`);
}
