// Where ESB puts things, as pure functions of an env's name: its compose project and
// containers, its mode, subnet slot, image tag and state dirs, and the roots reset may
// wipe inside. (test/fixtures/esb-legacy/ENV-CONTRACT.md lists what the old runner did.)
import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';

export type Mode = 'docker' | 'containerd';

export const ESB_PROJECT = 'esb';
export const DEFAULT_INFRA_FILE = 'docker-compose.infra.yml';
export const DEFAULT_INFRA_CONTAINER = 'esb-infra-registry';
export const DEFAULT_TEMPLATE = 'e2e/fixtures/template.yaml';
export const DEFAULT_TIMEOUTS = { reset: 300, compose: 600, deploy: 1800, test: 3600 } as const;
export const GATEWAY_WAIT_TIMEOUT = 60;

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

/** HOME and XDG_CACHE_HOME of the shell's env (the ESB cache lives under them). */
export function homeDirs(base: Readonly<Record<string, string | undefined>>): HomeDirs {
  return { home: base.HOME ?? '/root', xdgCacheHome: base.XDG_CACHE_HOME || undefined };
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

/** The dirs reset wipes for an env: its staging config dir and its ESB home. */
export const stateDirs = (root: string, env: string, dirs: HomeDirs) => [stagingConfigDir(env, dirs), esbHome(root, env)];

/** True when `dir` lies strictly inside one of `roots`. */
export function isInside(dir: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, resolve(dir));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}

export function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}
