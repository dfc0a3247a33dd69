// ESB's legacy layout (esb deploy of templates): the variables esb-e2e manages for an env,
// as one table, each key with how it is derived, and what pytest alone gets. The rules
// follow what ESB's old runner handed each phase (test/fixtures/esb-legacy/ENV-CONTRACT.md).
import { join } from 'node:path';
import { AUTH_ENDPOINT_PATH, PYTEST_URLS, pick, type Layout, type ManagedContext, type Rule } from './conventions';
import { registryVars } from './ports';
import { ESB_PROJECT, composeProject, esbHome, esbTag, expandHome, stagingConfigDir, stateDirs } from './layout';

const certDir = (c: ManagedContext) => (c.userCertDir ? expandHome(c.userCertDir, c.dirs.home) : join(c.dirs.home, '.esb', 'certs'));
const registry = (key: string) => (c: ManagedContext) => registryVars(c.mode, c.registryPort)[key];
const slot = (c: ManagedContext) => c.subnetSlot;

/** Every key the runner sets for every phase, whatever the env file or env_vars say. */
const MANAGED: Readonly<Record<string, Rule>> = {
  ENV: { derive: (c) => c.env },
  ESB_ENV: { derive: (c) => c.env },
  MODE: { derive: (c) => c.mode },
  ESB_MODE: { derive: (c) => c.mode },
  ESB_PROJECT: { derive: () => ESB_PROJECT },
  PROJECT_NAME: { derive: (c) => composeProject(c.env), unique: true },
  E2E_COMPOSE_FILE: { derive: (c) => c.composeFile },
  ESB_TAG: { derive: (c) => esbTag(c.env, c.tag) },
  PORT_REGISTRY: { derive: registry('PORT_REGISTRY'), shell: true, quiet: true },
  ESB_REGISTRY: { derive: registry('ESB_REGISTRY') },
  REGISTRY: { derive: registry('REGISTRY') },
  CONTAINER_REGISTRY: { derive: registry('CONTAINER_REGISTRY') },
  HOST_REGISTRY_ADDR: { derive: registry('HOST_REGISTRY_ADDR') },
  CONTAINER_REGISTRY_INSECURE: { derive: registry('CONTAINER_REGISTRY_INSECURE') },
  NETWORK_EXTERNAL: { derive: (c) => `${composeProject(c.env)}-external`, unique: true },
  SUBNET_EXTERNAL: { derive: (c) => `172.${60 + slot(c)}.0.0/16`, unique: 'subnet' },
  RUNTIME_NET_SUBNET: { derive: (c) => `172.${100 + slot(c)}.0.0/16`, unique: 'containerd-subnet' },
  RUNTIME_NODE_IP: { derive: (c) => `172.${100 + slot(c)}.0.10` },
  LAMBDA_NETWORK: { derive: (c) => `${ESB_PROJECT}_int_${c.env}`, unique: true },
  CERT_DIR: { derive: certDir, quiet: true },
  ROOT_CA_CERT_FILENAME: { derive: () => 'rootCA.crt' },
  ROOT_CA_MOUNT_ID: { derive: () => `${ESB_PROJECT}_root_ca` },
  ROOT_CA_FINGERPRINT: { derive: (c) => c.md5(join(certDir(c), 'rootCA.crt')) },
  CONFIG_DIR: { derive: (c) => stagingConfigDir(c.env, c.dirs), unique: true },
  ESB_HOME: { derive: (c) => esbHome(c.root, c.env), unique: true },
  DOCKER_BUILDKIT: { derive: () => '1' },
  COMPOSE_DOCKER_CLI_BUILD: { derive: () => '1' },
  BUILDX_BUILDER: { derive: (c) => `${ESB_PROJECT}-buildx-${c.env}` },
  BUILDX_CACHE_DIR: { derive: (c) => `.esb/buildx-cache/${c.env}` },
  ESB_BUILDX_CACHE: { derive: () => '0' },
  ESB_BUILDX_CACHE_TO: { derive: () => '0' },
  CLI_CMD: { derive: (c) => c.cliCmd },
  ENV_PREFIX: { derive: (c) => c.envPrefix },
  // The env's engine for every docker call, the tools' own included (esb deploy, tests).
  DOCKER_HOST: { derive: (c) => c.dockerHost, shell: true },
  DOCKER_CONTEXT: { derive: (c) => c.dockerContext },
};

type Vars = Readonly<Record<string, string | undefined>>;

/** Keys of the running gateway container's environment that pytest gets. */
function isGatewayKey(key: string): boolean {
  return key.startsWith('AGENT_GRPC_TLS_') || key === 'CONTAINERS_NETWORK' || key === 'GATEWAY_INTERNAL_URL';
}

/** What pytest alone gets: the URLs its suite reads, and the gateway container's own keys. */
function pytestVars(env: Vars, gatewayEnv: Readonly<Record<string, string>>): Record<string, string> {
  const out = pick(PYTEST_URLS, env);
  if (env.PORT_AGENT_GRPC) out.AGENT_GRPC_ADDRESS = `localhost:${env.PORT_AGENT_GRPC}`;
  out.AUTH_ENDPOINT_PATH = env.AUTH_ENDPOINT_PATH || AUTH_ENDPOINT_PATH;
  for (const [key, value] of Object.entries(gatewayEnv)) if (isGatewayKey(key)) out[key] = value;
  return out;
}

export const LEGACY: Layout = {
  name: 'legacy',
  managed: MANAGED,
  portBase: 33000,
  brand: null,
  oneRegistryPort: true,
  stateDirs,
  isGatewayKey,
  pytestVars: (env, gateway) => pytestVars(env, gateway),
};
