// What a generation of ESB's layout says of an env's variables, and the machinery every
// generation shares: a table of managed keys (each with how it is derived), generated
// credentials, which keys the shell's env never supplies, which values two envs may never
// share. legacy.ts and current.ts fill the tables.
import type { GenerationName } from './generation';
import type { HomeDirs, Mode, TagContext } from './layout';

type Vars = Readonly<Record<string, string | undefined>>;

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
  /** What the env file, defaults.env_vars and the env's env_vars set ("unless set" rules). */
  readonly user: Vars;
  /** The matrix's esb_project (current layout), else `esb`. */
  readonly esbProject: string;
  /** E2E_WITH_PROXY=1 in the env's layers or the runner's own env (--with-proxy sets it there). */
  readonly withProxy: boolean;
}

export interface Rule {
  /** The value; undefined leaves the key to the user's layers; null removes it, whoever set it. */
  readonly derive: (c: ManagedContext) => string | undefined | null;
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

/** An env's variables as one generation of ESB hands them to every phase, and to pytest. */
export interface Layout {
  readonly name: GenerationName;
  readonly managed: Readonly<Record<string, Rule>>;
  /** Where env port blocks start (the matrix's port_base wins). */
  readonly portBase: number;
  /** `<brand>` in an env file's values stands for this (the current layout's files are templates of its branding). */
  readonly brand: string | null;
  /** A matrix env_vars PORT_REGISTRY must be the run's (one registry for all). */
  readonly oneRegistryPort: boolean;
  /** The dirs reset wipes for an env. */
  stateDirs(root: string, env: string, dirs: HomeDirs): string[];
  /** Keys of the running gateway container's environment that pytest gets. */
  isGatewayKey(key: string): boolean;
  /** What pytest alone gets: from the env's variables, the ports discovered, the gateway's env. */
  pytestVars(env: Vars, gateway: Readonly<Record<string, string>>, extra: PytestContext): Record<string, string>;
}

export interface PytestContext {
  /** The ports its services published (null: not asked). */
  readonly discovered: Vars | null;
  /** CERT_DIR of the runner's own environment, else the project's default. */
  readonly certDir: string;
}

export type RandomHex = (bytes: number) => string;

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
const url = (scheme: string, port: string | undefined) => port && `${scheme}://localhost:${port}`;

/** The URLs pytest's suite reads, from the env's (discovered) ports: both generations. */
export const PYTEST_URLS: Readonly<Record<string, (v: Vars) => string | undefined>> = {
  GATEWAY_PORT: (v) => v.PORT_GATEWAY_HTTPS,
  GATEWAY_URL: (v) => url('https', v.PORT_GATEWAY_HTTPS),
  VICTORIALOGS_PORT: (v) => v.PORT_VICTORIALOGS,
  VICTORIALOGS_URL: (v) => url('http', v.PORT_VICTORIALOGS),
  AGENT_METRICS_PORT: (v) => v.PORT_AGENT_METRICS,
  AGENT_METRICS_URL: (v) => url('http', v.PORT_AGENT_METRICS),
};

/** Each rule's value for `table` (keys whose rule gives nothing are left out). */
export function pick(table: Readonly<Record<string, (v: Vars) => string | undefined>>, vars: Vars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, make] of Object.entries(table)) {
    const value = make(vars);
    if (value) out[key] = value;
  }
  return out;
}

/** The managed keys' values for one env, and the keys its rules remove. */
export function managedVars(layout: Layout, ctx: ManagedContext): { vars: Record<string, string>; removed: string[] } {
  const vars: Record<string, string> = {};
  const removed: string[] = [];
  for (const [key, rule] of Object.entries(layout.managed)) {
    const value = rule.derive(ctx);
    if (value === null) removed.push(key);
    else if (value !== undefined) vars[key] = value;
  }
  return { vars, removed };
}

/** Credentials: kept when the env file, env_vars or --set set them, else `saved` (an earlier run's), else generated. */
export function credentials(user: Readonly<Record<string, string>>, random: RandomHex, saved: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, make] of Object.entries(CREDENTIALS)) out[key] = user[key] || saved[key] || make(random);
  return out;
}

/** Names the shell's env never supplies: managed (but the shell's own settings), credentials, ports, pytest's. */
export function isManagedKey(layout: Layout, key: string, portVars: readonly string[]): boolean {
  const rule = layout.managed[key];
  if (rule) return !rule.shell;
  return key in CREDENTIALS || key in PYTEST_URLS || key === 'AGENT_GRPC_ADDRESS' || key === 'AUTH_ENDPOINT_PATH' || portVars.includes(key) || layout.isGatewayKey(key);
}

/** Does a matrix env_vars value that the managed one replaces deserve a note? */
export function replacedByManaged(layout: Layout, key: string): boolean {
  const rule = layout.managed[key];
  return !!rule && !rule.quiet;
}

/** What an env's resolved variables claim for itself: values no other env of the run may share. */
export function uniqueClaims(layout: Layout, vars: Vars, mode: Mode): [claim: string, key: string][] {
  const claims: [string, string][] = [];
  for (const [key, rule] of Object.entries(layout.managed)) {
    const value = vars[key];
    if (!rule.unique || !value) continue;
    if (rule.unique !== 'containerd-subnet') claims.push([`${key}=${value}`, key]);
    if (rule.unique === 'subnet' || (rule.unique === 'containerd-subnet' && mode === 'containerd')) claims.push([`subnet ${value}`, key]);
  }
  return claims;
}
