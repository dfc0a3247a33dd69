// The variables esb-e2e manages for an ESB env, as one table: each key with how it is
// derived. Everything else about them is read off the table: which keys the shell's env
// may never supply, which values two envs may never share, which ones a matrix may not
// override without a note. Credentials and what pytest alone gets are tables beside it.
// The rules follow what ESB's old runner handed each phase
// (test/fixtures/esb-legacy/ENV-CONTRACT.md).
import { join } from 'node:path';
import { registryVars } from './ports';
import { ESB_PROJECT, composeProject, esbHome, esbTag, expandHome, stagingConfigDir, type HomeDirs, type Mode, type TagContext } from './layout';

export interface ManagedContext {
  readonly env: string;
  readonly mode: Mode;
  readonly root: string;
  readonly composeFile: string;
  readonly subnetSlot: number;
  readonly registryPort: number;
  readonly tag: TagContext;
  readonly dirs: HomeDirs;
  readonly cliCmd: string;
  readonly envPrefix: string;
  readonly dockerHost: string | undefined;
  readonly dockerContext: string | undefined;
  /** md5 of a file, undefined when absent (the root CA's fingerprint). */
  readonly md5: (path: string) => string | undefined;
  /** CERT_DIR as the env file / env_vars set it, if they do. */
  readonly userCertDir: string | undefined;
}

interface Rule {
  /** The value; undefined leaves the key unset. */
  readonly derive: (c: ManagedContext) => string | undefined;
  /** The shell's value is a setting of its own (the registry port, a remote engine), not a leak. */
  readonly shell?: true;
  /**
   * A matrix env_vars value for it gets no "replaced" note: CERT_DIR takes the user's value,
   * PORT_REGISTRY is checked against the run's registry port instead.
   */
  readonly quiet?: true;
  /** Two envs of one run must not share this value; `subnet` also claims it as a subnet. */
  readonly unique?: true | 'subnet' | 'containerd-subnet';
}

const certDir = (c: ManagedContext) => (c.userCertDir ? expandHome(c.userCertDir, c.dirs.home) : join(c.dirs.home, '.esb', 'certs'));
const registry = (key: string) => (c: ManagedContext) => registryVars(c.mode, c.registryPort)[key];
const slot = (c: ManagedContext) => c.subnetSlot;

/** Every key the runner sets for every phase, whatever the env file or env_vars say. */
export const MANAGED: Readonly<Record<string, Rule>> = {
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

/** Generated when the env file, env_vars or --set do not set them (empty counts as unset). */
export const CREDENTIALS: Readonly<Record<string, (random: RandomHex) => string>> = {
  AUTH_USER: () => 'esb',
  RUSTFS_ACCESS_KEY: () => 'esb',
  AUTH_PASS: (random) => random(16),
  RUSTFS_SECRET_KEY: (random) => random(16),
  JWT_SECRET_KEY: (random) => random(32),
  X_API_KEY: (random) => random(32),
};

export const AUTH_ENDPOINT_PATH = '/user/auth/v1';
type Vars = Readonly<Record<string, string | undefined>>;
const url = (scheme: string, port: string | undefined) => port && `${scheme}://localhost:${port}`;

/** What pytest alone gets, from the env's (discovered) ports; compose and deploy never do. */
export const PYTEST: Readonly<Record<string, (v: Vars) => string | undefined>> = {
  GATEWAY_PORT: (v) => v.PORT_GATEWAY_HTTPS,
  GATEWAY_URL: (v) => url('https', v.PORT_GATEWAY_HTTPS),
  VICTORIALOGS_PORT: (v) => v.PORT_VICTORIALOGS,
  VICTORIALOGS_URL: (v) => url('http', v.PORT_VICTORIALOGS),
  AGENT_METRICS_PORT: (v) => v.PORT_AGENT_METRICS,
  AGENT_METRICS_URL: (v) => url('http', v.PORT_AGENT_METRICS),
  AGENT_GRPC_ADDRESS: (v) => v.PORT_AGENT_GRPC && `localhost:${v.PORT_AGENT_GRPC}`,
  AUTH_ENDPOINT_PATH: (v) => v.AUTH_ENDPOINT_PATH || AUTH_ENDPOINT_PATH,
};

export type RandomHex = (bytes: number) => string;

/** Keys of the running gateway container's environment that pytest gets. */
export function isGatewayKey(key: string): boolean {
  return key.startsWith('AGENT_GRPC_TLS_') || key === 'CONTAINERS_NETWORK' || key === 'GATEWAY_INTERNAL_URL';
}

/** The managed keys' values for one env (keys whose rule gives nothing are left out). */
export function managedVars(ctx: ManagedContext): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, rule] of Object.entries(MANAGED)) {
    const value = rule.derive(ctx);
    if (value !== undefined) vars[key] = value;
  }
  return vars;
}

/** Credentials: kept when the env file, env_vars or --set set them, generated otherwise. */
export function credentials(user: Readonly<Record<string, string>>, random: RandomHex): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, make] of Object.entries(CREDENTIALS)) out[key] = user[key] ? user[key]! : make(random);
  return out;
}

/** What pytest alone gets: the URLs its suite reads, and the gateway container's own keys. */
export function pytestVars(env: Vars, gatewayEnv: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, make] of Object.entries(PYTEST)) {
    const value = make(env);
    if (value) out[key] = value;
  }
  for (const [key, value] of Object.entries(gatewayEnv)) if (isGatewayKey(key)) out[key] = value;
  return out;
}

/** Names the shell's env never supplies: managed (but the shell's own settings), credentials, ports, pytest's. */
export function isManagedKey(key: string, portVars: readonly string[]): boolean {
  const rule = MANAGED[key];
  if (rule) return !rule.shell;
  return key in CREDENTIALS || key in PYTEST || portVars.includes(key) || isGatewayKey(key);
}

/** Does a matrix env_vars value that the managed one replaces deserve a note? */
export function replacedByManaged(key: string): boolean {
  const rule = MANAGED[key];
  return !!rule && !rule.quiet;
}

/** What an env's resolved variables claim for itself: values no other env of the run may share. */
export function uniqueClaims(vars: Vars, mode: Mode): [claim: string, key: string][] {
  const claims: [string, string][] = [];
  for (const [key, rule] of Object.entries(MANAGED)) {
    const value = vars[key];
    if (!rule.unique || !value) continue;
    if (rule.unique !== 'containerd-subnet') claims.push([`${key}=${value}`, key]);
    if (rule.unique === 'subnet' || (rule.unique === 'containerd-subnet' && mode === 'containerd')) claims.push([`subnet ${value}`, key]);
  }
  return claims;
}
