// ESB's conventions, as data and small pure functions: which variables the runner
// manages for every phase, how ports, subnets, tags and state dirs are derived, which
// published ports map to which variables, and what pytest alone gets. The rules follow
// what ESB's old runner handed each phase (test/fixtures/esb-legacy/ENV-CONTRACT.md).
import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from './errors';
import type { PortMapping } from './docker-api';

export type Mode = 'docker' | 'containerd';

export const ESB_PROJECT = 'esb';
export const DEFAULT_PORT_VARS = [
  'PORT_GATEWAY_HTTPS',
  'PORT_GATEWAY_HTTP',
  'PORT_AGENT_GRPC',
  'PORT_AGENT_METRICS',
  'PORT_VICTORIALOGS',
  'PORT_DATABASE',
  'PORT_S3',
  'PORT_S3_MGMT',
] as const;
export const DEFAULT_PORT_BASE = 33000;
export const DEFAULT_PORT_BLOCK = 20;
export const DEFAULT_REGISTRY_PORT = 5010;
/** The registry listens on this port inside its container, whatever the host port. */
export const REGISTRY_CONTAINER_PORT = 5010;
export const DEFAULT_INFRA_FILE = 'docker-compose.infra.yml';
export const DEFAULT_INFRA_CONTAINER = 'esb-infra-registry';
export const DEFAULT_TEMPLATE = 'e2e/fixtures/template.yaml';
export const DEFAULT_TIMEOUTS = { reset: 300, compose: 600, deploy: 1800, test: 3600 } as const;
export const GATEWAY_WAIT_TIMEOUT = 60;
/** Images that ESB's compose files build locally; when one is missing, compose up gets --build. */
export const AUTH_ENDPOINT_PATH = '/user/auth/v1';

export interface PublishedPort {
  readonly service: string;
  readonly port: number;
  readonly variable: string;
}

/** Container port of a compose service -> the variable that holds its host port. */
export const PUBLISHED_PORTS: readonly PublishedPort[] = [
  { service: 'gateway', port: 8443, variable: 'PORT_GATEWAY_HTTPS' },
  { service: 'gateway', port: 8080, variable: 'PORT_GATEWAY_HTTP' },
  { service: 'victorialogs', port: 9428, variable: 'PORT_VICTORIALOGS' },
  { service: 'database', port: 8000, variable: 'PORT_DATABASE' },
  { service: 's3-storage', port: 9000, variable: 'PORT_S3' },
  { service: 's3-storage', port: 9001, variable: 'PORT_S3_MGMT' },
  { service: 'agent', port: 50051, variable: 'PORT_AGENT_GRPC' },
  { service: 'agent', port: 9091, variable: 'PORT_AGENT_METRICS' },
  { service: 'registry', port: 5010, variable: 'PORT_REGISTRY' },
  { service: 'runtime-node', port: 8443, variable: 'PORT_GATEWAY_HTTPS' },
  { service: 'runtime-node', port: 50051, variable: 'PORT_AGENT_GRPC' },
  { service: 'runtime-node', port: 9091, variable: 'PORT_AGENT_METRICS' },
];

/** Variables pytest alone gets; compose and deploy never do, and the base env never supplies them. */
export const PYTEST_ONLY_KEYS = [
  'GATEWAY_PORT',
  'GATEWAY_URL',
  'VICTORIALOGS_PORT',
  'VICTORIALOGS_URL',
  'AGENT_METRICS_PORT',
  'AGENT_METRICS_URL',
  'AGENT_GRPC_ADDRESS',
  'AUTH_ENDPOINT_PATH',
] as const;

/** Keys of the running gateway container's environment that pytest gets. */
export function isGatewayKey(key: string): boolean {
  return key.startsWith('AGENT_GRPC_TLS_') || key === 'CONTAINERS_NETWORK' || key === 'GATEWAY_INTERNAL_URL';
}

export const gatewayContainer = (project: string) => `${project}-gateway`;
export const composeProject = (env: string) => `${ESB_PROJECT}-${env}`;

/** containerd when the env's dir or compose file name says containerd or firecracker. */
export function inferMode(envDir: string, composeFiles: readonly string[]): Mode {
  const names = [basename(envDir), ...composeFiles.map((f) => basename(f))].join(' ');
  return /containerd|firecracker/i.test(names) ? 'containerd' : 'docker';
}

function md5Mod100(text: string): number {
  const hex = createHash('md5').update(text).digest('hex');
  return Number(BigInt(`0x${hex}`) % 100n);
}

/**
 * Subnet slot of every env: md5(name) mod 100, as the old runner did. Envs are taken in
 * name order; a later env whose slot would share a second octet with an earlier env's
 * external (172.60+) or runtime (172.100+) subnet moves to the next free slot.
 */
export function subnetSlots(names: readonly string[]): Map<string, number> {
  const used = new Set<number>();
  const slots = new Map<string, number>();
  for (const name of [...names].sort()) {
    let slot = md5Mod100(name);
    for (let tries = 0; tries < 100 && (used.has(60 + slot) || used.has(100 + slot)); tries++) slot = (slot + 1) % 100;
    used.add(60 + slot);
    used.add(100 + slot);
    slots.set(name, slot);
  }
  return slots;
}

export interface TagContext {
  readonly ci: boolean;
  readonly gitSha: string | undefined;
  readonly now: Date;
}

export function esbTag(env: string, ctx: TagContext): string {
  if (!ctx.ci) return `e2e-${env}-latest`;
  if (ctx.gitSha) return `e2e-${env}-${ctx.gitSha.slice(0, 7)}`;
  const stamp = ctx.now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '');
  return `e2e-${env}-${stamp}`;
}

export interface HomeDirs {
  readonly home: string;
  readonly xdgCacheHome: string | undefined;
}

/** Roots that reset may wipe inside: the project root and ESB's cache. */
export function stateRoots(root: string, dirs: HomeDirs): string[] {
  const roots = [resolve(root), resolve(dirs.home, '.esb')];
  if (dirs.xdgCacheHome) roots.push(resolve(dirs.xdgCacheHome, 'esb'));
  return roots;
}

export function stagingConfigDir(env: string, dirs: HomeDirs): string {
  const project = composeProject(env);
  const hash = createHash('sha256').update(`${project}:${env}`).digest('hex').slice(0, 8);
  const staging = dirs.xdgCacheHome
    ? join(resolve(dirs.xdgCacheHome), 'esb', 'staging')
    : join(resolve(dirs.home), '.esb', '.cache', 'staging');
  return join(staging, `${project}-${hash}`, env, 'config');
}

export const esbHome = (root: string, env: string) => join(resolve(root), 'e2e', 'fixtures', '.esb', env);

/** True when `dir` lies strictly inside one of `roots`. */
export function isInside(dir: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, resolve(dir));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}

export interface PortBlock {
  readonly vars: readonly string[];
  readonly base: number;
  readonly block: number;
  /** The env's position among all matrix envs sorted by name. */
  readonly index: number;
  /** Number of matrix envs: a shift moves every block up by this many blocks. */
  readonly envCount: number;
}

export interface PortAssignment {
  readonly values: Record<string, number>;
  /** Variables assigned from the block (they move when a port is busy); the rest are fixed. */
  readonly auto: readonly string[];
}

export function portValue(block: PortBlock, variable: string, shift: number): number {
  const offset = block.vars.indexOf(variable);
  return block.base + (block.index + shift * block.envCount) * block.block + offset;
}

/** Ports of the block; a value set (non-zero) by the env file, env_vars or --set is kept. */
export function assignPorts(block: PortBlock, user: Readonly<Record<string, string>>, shift: number, where: string): PortAssignment {
  const values: Record<string, number> = {};
  const auto: string[] = [];
  for (const variable of block.vars) {
    const raw = user[variable]?.trim();
    if (raw !== undefined && raw !== '' && raw !== '0') {
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw new ConfigError(`${where}: ${variable}=${JSON.stringify(raw)} is not a port (1-65535, or 0 to let esb-e2e pick)`);
      }
      values[variable] = n;
    } else {
      const n = portValue(block, variable, shift);
      if (n > 65535) throw new ConfigError(`${where}: no free port block left below 65535 for ${variable}`);
      values[variable] = n;
      auto.push(variable);
    }
  }
  return { values, auto };
}

export function registryVars(mode: Mode, port: number): Record<string, string> {
  const host = `127.0.0.1:${port}`;
  const registry = mode === 'docker' ? host : `registry:${REGISTRY_CONTAINER_PORT}`;
  return {
    PORT_REGISTRY: String(port),
    ESB_REGISTRY: `${registry}/`,
    REGISTRY: `${registry}/`,
    CONTAINER_REGISTRY: registry,
    HOST_REGISTRY_ADDR: host,
    CONTAINER_REGISTRY_INSECURE: '1',
  };
}

export type RandomHex = (bytes: number) => string;

/** Credentials: kept when the env file, env_vars or --set set them, generated otherwise. */
export function credentials(user: Readonly<Record<string, string>>, random: RandomHex): Record<string, string> {
  const pick = (key: string, make: () => string) => (user[key] ? user[key]! : make());
  return {
    AUTH_USER: pick('AUTH_USER', () => 'esb'),
    RUSTFS_ACCESS_KEY: pick('RUSTFS_ACCESS_KEY', () => 'esb'),
    AUTH_PASS: pick('AUTH_PASS', () => random(16)),
    RUSTFS_SECRET_KEY: pick('RUSTFS_SECRET_KEY', () => random(16)),
    JWT_SECRET_KEY: pick('JWT_SECRET_KEY', () => random(32)),
    X_API_KEY: pick('X_API_KEY', () => random(32)),
  };
}

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
}

/**
 * Keys the runner sets for every phase, whatever the env file or env_vars say.
 * `user` is the merged env file + defaults.env_vars + env_vars (for the few keys
 * that are kept when set: CERT_DIR).
 */
export function forcedVars(ctx: ManagedContext, user: Readonly<Record<string, string>>): Record<string, string> {
  const { env, mode } = ctx;
  const project = composeProject(env);
  const slot = ctx.subnetSlot;
  const certDir = user.CERT_DIR ? expandHome(user.CERT_DIR, ctx.dirs.home) : join(ctx.dirs.home, '.esb', 'certs');
  const fingerprint = ctx.md5(join(certDir, 'rootCA.crt'));
  const vars: Record<string, string> = {
    ENV: env,
    ESB_ENV: env,
    MODE: mode,
    ESB_MODE: mode,
    ESB_PROJECT,
    PROJECT_NAME: project,
    E2E_COMPOSE_FILE: ctx.composeFile,
    ESB_TAG: esbTag(env, ctx.tag),
    ...registryVars(mode, ctx.registryPort),
    NETWORK_EXTERNAL: `${project}-external`,
    SUBNET_EXTERNAL: `172.${60 + slot}.0.0/16`,
    RUNTIME_NET_SUBNET: `172.${100 + slot}.0.0/16`,
    RUNTIME_NODE_IP: `172.${100 + slot}.0.10`,
    LAMBDA_NETWORK: `${ESB_PROJECT}_int_${env}`,
    CERT_DIR: certDir,
    ROOT_CA_CERT_FILENAME: 'rootCA.crt',
    ROOT_CA_MOUNT_ID: `${ESB_PROJECT}_root_ca`,
    CONFIG_DIR: stagingConfigDir(env, ctx.dirs),
    ESB_HOME: esbHome(ctx.root, env),
    DOCKER_BUILDKIT: '1',
    COMPOSE_DOCKER_CLI_BUILD: '1',
    BUILDX_BUILDER: `${ESB_PROJECT}-buildx-${env}`,
    BUILDX_CACHE_DIR: `.esb/buildx-cache/${env}`,
    ESB_BUILDX_CACHE: '0',
    ESB_BUILDX_CACHE_TO: '0',
    CLI_CMD: ctx.cliCmd,
    ENV_PREFIX: ctx.envPrefix,
  };
  if (fingerprint) vars.ROOT_CA_FINGERPRINT = fingerprint;
  // The env's engine for every docker call, the tools' own included (esb deploy, tests).
  if (ctx.dockerHost) vars.DOCKER_HOST = ctx.dockerHost;
  if (ctx.dockerContext) vars.DOCKER_CONTEXT = ctx.dockerContext;
  return vars;
}

/** Names the runner manages; the base env (a CI shell's exports) never supplies them. */
export function isManagedKey(key: string, portVars: readonly string[]): boolean {
  return (
    MANAGED_KEYS.has(key) ||
    portVars.includes(key) ||
    (PYTEST_ONLY_KEYS as readonly string[]).includes(key) ||
    isGatewayKey(key)
  );
}

const MANAGED_KEYS = new Set([
  'ENV', 'ESB_ENV', 'MODE', 'ESB_MODE', 'ESB_PROJECT', 'PROJECT_NAME', 'E2E_COMPOSE_FILE', 'ESB_TAG',
  'ESB_REGISTRY', 'REGISTRY', 'CONTAINER_REGISTRY', 'HOST_REGISTRY_ADDR', 'CONTAINER_REGISTRY_INSECURE',
  'NETWORK_EXTERNAL', 'SUBNET_EXTERNAL', 'RUNTIME_NET_SUBNET', 'RUNTIME_NODE_IP', 'LAMBDA_NETWORK',
  'CERT_DIR', 'ROOT_CA_CERT_FILENAME', 'ROOT_CA_MOUNT_ID', 'ROOT_CA_FINGERPRINT', 'CONFIG_DIR', 'ESB_HOME',
  'DOCKER_BUILDKIT', 'COMPOSE_DOCKER_CLI_BUILD', 'BUILDX_BUILDER', 'BUILDX_CACHE_DIR', 'ESB_BUILDX_CACHE',
  'ESB_BUILDX_CACHE_TO', 'CLI_CMD', 'ENV_PREFIX', 'DOCKER_CONTEXT',
  'AUTH_USER', 'AUTH_PASS', 'RUSTFS_ACCESS_KEY', 'RUSTFS_SECRET_KEY', 'JWT_SECRET_KEY', 'X_API_KEY',
]);

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** What pytest alone gets: the URLs its suite reads, from the env's (discovered) ports. */
export function pytestVars(
  env: Readonly<Record<string, string>>,
  gatewayEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const https = env.PORT_GATEWAY_HTTPS;
  if (https) {
    out.GATEWAY_PORT = https;
    out.GATEWAY_URL = `https://localhost:${https}`;
  }
  if (env.PORT_VICTORIALOGS) {
    out.VICTORIALOGS_PORT = env.PORT_VICTORIALOGS;
    out.VICTORIALOGS_URL = `http://localhost:${env.PORT_VICTORIALOGS}`;
  }
  if (env.PORT_AGENT_METRICS) {
    out.AGENT_METRICS_PORT = env.PORT_AGENT_METRICS;
    out.AGENT_METRICS_URL = `http://localhost:${env.PORT_AGENT_METRICS}`;
  }
  if (env.PORT_AGENT_GRPC) out.AGENT_GRPC_ADDRESS = `localhost:${env.PORT_AGENT_GRPC}`;
  out.AUTH_ENDPOINT_PATH = env.AUTH_ENDPOINT_PATH || AUTH_ENDPOINT_PATH;
  for (const [key, value] of Object.entries(gatewayEnv)) if (isGatewayKey(key)) out[key] = value;
  return out;
}

/** Parse `docker ps --format '{{.Label "com.docker.compose.service"}}\t{{.Ports}}'` output. */
export function parsePublishedPorts(
  listing: string,
  table: readonly PublishedPort[],
): Record<string, string> {
  return matchPublishedPorts(parsePortListing(listing), table);
}

/** `docker ps --format '{{.Label "com.docker.compose.service"}}\t{{.Ports}}'` as port mappings. */
export function parsePortListing(listing: string): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const line of listing.split('\n')) {
    const [service, ports] = line.split('\t');
    if (!service || !ports) continue;
    for (const mapping of ports.split(',')) {
      const m = /:(\d+)->(\d+)\/tcp/.exec(mapping.trim());
      if (m) mappings.push({ service: service.trim(), privatePort: Number(m[2]), publicPort: Number(m[1]) });
    }
  }
  return mappings;
}

/** The PORT_* variables of the table whose service published its container port. */
export function matchPublishedPorts(mappings: readonly PortMapping[], table: readonly PublishedPort[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of mappings) {
    const entry = table.find((t) => t.service === m.service && t.port === m.privatePort);
    if (entry && !(entry.variable in found)) found[entry.variable] = String(m.publicPort);
  }
  return found;
}
