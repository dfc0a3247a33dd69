// ESB's current layout (artifact manifests, ctl deploy + provision): the variables every
// phase gets and what pytest alone gets, as test/fixtures/esb-head/ENV-CONTRACT.md measured
// them. Most keys hold "unless set": a value from the env file or env_vars stands.
import { join, resolve } from 'node:path';
import { AUTH_ENDPOINT_PATH, PYTEST_URLS, pick, type Layout, type ManagedContext, type Rule } from './conventions';
import { esbTag } from './layout';

type Vars = Readonly<Record<string, string | undefined>>;

/** The env's state dir: ESB_HOME, wiped by reset. */
export const stateDir = (root: string, env: string) => join(resolve(root), '.esb', 'e2e', 'state', env);
/** Where a run keeps the env's credentials for a later one (with --test-only, say). */
export const savedCredentials = (root: string, env: string) => join(stateDir(root, env), 'config', '.env');
export const DEFAULT_BUILDER = 'esb-buildx';
/** The registry as containerd envs reach it, inside their network. */
const CONTAINERD_REGISTRY = 'registry:5010';

const set = (c: ManagedContext, key: string) => c.user[key] !== undefined && c.user[key] !== '';
/** The derived value unless the env file or env_vars set the key (then theirs stands). */
const unlessSet = (key: string, derive: (c: ManagedContext) => string | undefined) => (c: ManagedContext) => (set(c, key) ? undefined : derive(c));
const hostRegistry = (c: ManagedContext) => `127.0.0.1:${c.registryPort}`;
const containerRegistry = (c: ManagedContext) => (c.mode === 'docker' ? hostRegistry(c) : CONTAINERD_REGISTRY);
const certDir = (c: ManagedContext) => (set(c, 'CERT_DIR') ? c.user.CERT_DIR! : join(resolve(c.root), '.esb', 'certs'));
const slot = (c: ManagedContext) => c.subnetSlot;
/** Runtime subnet variables are the docker mode's: a containerd env gets none, whoever set them. */
const dockerOnly = (key: string, derive: (c: ManagedContext) => string) => (c: ManagedContext) => (c.mode !== 'docker' ? null : set(c, key) ? undefined : derive(c));

const MANAGED: Readonly<Record<string, Rule>> = {
  ENV: { derive: (c) => c.env },
  ESB_ENV: { derive: (c) => c.env },
  MODE: { derive: (c) => c.mode },
  ESB_MODE: { derive: (c) => c.mode },
  ESB_PROJECT: { derive: (c) => c.esbProject },
  PROJECT_NAME: { derive: (c) => `esb-${c.env}`, unique: true },
  ESB_TAG: { derive: (c) => (!set(c, 'ESB_TAG') || c.user.ESB_TAG === 'latest' ? esbTag(c.env, c.tag) : undefined) },
  ESB_INTERACTIVE: { derive: () => '0' },
  ESB_HOME: { derive: (c) => stateDir(c.root, c.env), unique: true },
  ESB_REGISTRY: { derive: (c) => (set(c, 'ESB_REGISTRY') ? c.user.ESB_REGISTRY!.replace(/\/?$/, '/') : `${containerRegistry(c)}/`) },
  HOST_REGISTRY_ADDR: { derive: hostRegistry },
  CONTAINER_REGISTRY: { derive: containerRegistry },
  REGISTRY: { derive: (c) => `${containerRegistry(c)}/` },
  CONTAINER_REGISTRY_INSECURE: { derive: unlessSet('CONTAINER_REGISTRY_INSECURE', () => '1') },
  // From the env file (ESB's say 5010), else 5010: the registry's port inside compose's view.
  PORT_REGISTRY: { derive: (c) => (set(c, 'PORT_REGISTRY') && c.user.PORT_REGISTRY !== '0' ? undefined : '5010'), shell: true, quiet: true },
  NETWORK_EXTERNAL: { derive: unlessSet('NETWORK_EXTERNAL', (c) => `esb-${c.env}-external`), unique: true },
  SUBNET_EXTERNAL: { derive: unlessSet('SUBNET_EXTERNAL', (c) => `172.${60 + slot(c)}.0.0/16`), unique: 'subnet' },
  RUNTIME_NET_SUBNET: { derive: dockerOnly('RUNTIME_NET_SUBNET', (c) => `172.${100 + slot(c)}.0.0/16`), unique: 'subnet' },
  RUNTIME_NODE_IP: { derive: dockerOnly('RUNTIME_NODE_IP', (c) => `172.${100 + slot(c)}.0.10`) },
  LAMBDA_NETWORK: { derive: unlessSet('LAMBDA_NETWORK', (c) => `esb_int_${c.env}`), unique: true },
  ENV_PREFIX: { derive: () => 'ESB' },
  ROOT_CA_MOUNT_ID: { derive: () => 'esb_root_ca' },
  ROOT_CA_CERT_FILENAME: { derive: unlessSet('ROOT_CA_CERT_FILENAME', () => 'rootCA.crt') },
  CERT_DIR: { derive: unlessSet('CERT_DIR', certDir), quiet: true },
  ROOT_CA_FINGERPRINT: { derive: (c) => c.md5(resolve(c.root, certDir(c), 'rootCA.crt')) },
  BUILDKITD_CONFIG: { derive: unlessSet('BUILDKITD_CONFIG', (c) => join(resolve(c.root), '.esb', 'buildkitd.toml')) },
  DOCKER_BUILDKIT: { derive: unlessSet('DOCKER_BUILDKIT', () => '1') },
  COMPOSE_DOCKER_CLI_BUILD: { derive: unlessSet('COMPOSE_DOCKER_CLI_BUILD', () => '1') },
  BUILDX_BUILDER: { derive: unlessSet('BUILDX_BUILDER', (c) => (c.withProxy ? `${DEFAULT_BUILDER}-proxy` : DEFAULT_BUILDER)) },
  ESB_SKIP_GATEWAY_ALIGN: { derive: unlessSet('ESB_SKIP_GATEWAY_ALIGN', () => '1') },
  // The env's engine for every docker call, the tools' own included (ctl, tests).
  DOCKER_HOST: { derive: (c) => c.dockerHost, shell: true },
  DOCKER_CONTEXT: { derive: (c) => c.dockerContext },
};

/** The gateway container's keys pytest gets as they are there. */
const FROM_GATEWAY = ['AUTH_USER', 'AUTH_PASS', 'X_API_KEY', 'RUSTFS_ACCESS_KEY', 'RUSTFS_SECRET_KEY', 'VERIFY_SSL', 'CONTAINERS_NETWORK', 'GATEWAY_INTERNAL_URL', 'AGENT_GRPC_TLS_ENABLED'];
/** The credentials the gateway must have for the env to pass its compose phase. */
export const GATEWAY_CREDENTIALS = FROM_GATEWAY.slice(0, 5);

function isGatewayKey(key: string): boolean {
  return FROM_GATEWAY.includes(key) || key.startsWith('AGENT_GRPC_TLS_');
}

/** pytest's own: the URLs, the gRPC address when that port was found, the gateway's keys, TLS files on this host. */
function pytestVars(env: Vars, gateway: Readonly<Record<string, string>>, extra: { readonly discovered: Vars | null; readonly certDir: string }): Record<string, string> {
  const out = pick(PYTEST_URLS, env);
  const grpc = extra.discovered?.PORT_AGENT_GRPC;
  if (grpc) out.AGENT_GRPC_ADDRESS = `localhost:${grpc}`;
  for (const key of FROM_GATEWAY) if (gateway[key] !== undefined && gateway[key] !== '') out[key] = gateway[key]!;
  out.AUTH_ENDPOINT_PATH = gateway.AUTH_ENDPOINT_PATH || AUTH_ENDPOINT_PATH;
  if (out.AGENT_GRPC_TLS_ENABLED) {
    out.AGENT_GRPC_TLS_CA_CERT_PATH = join(extra.certDir, 'rootCA.crt');
    out.AGENT_GRPC_TLS_CERT_PATH = join(extra.certDir, 'client.crt');
    out.AGENT_GRPC_TLS_KEY_PATH = join(extra.certDir, 'client.key');
  }
  return out;
}

export const CURRENT: Layout = {
  name: 'current',
  managed: MANAGED,
  portBase: 18000,
  brand: 'esb',
  oneRegistryPort: false,
  stateDirs: (root, env) => [stateDir(root, env)],
  isGatewayKey,
  pytestVars,
};
