// src/esb/layout.ts: where ESB puts things (subnets, tags, state dirs, names, mode).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { composeProject, esbHome, esbTag, gatewayContainer, inferMode, isInside, stagingConfigDir, stateRoots, subnetSlots } from '../../src/esb/layout';
import { DEFAULT_PORT_VARS } from '../../src/esb/ports';

const md5Slot = (name: string) => Number(BigInt(`0x${createHash('md5').update(name).digest('hex')}`) % 100n);

/** Deterministic search for names with a given relation between their md5 slots. */
function findPair(relation: (a: number, b: number) => boolean): [string, string] {
  const names = Array.from({ length: 400 }, (_, i) => `env-${String(i).padStart(3, '0')}`);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      if (relation(md5Slot(names[i]!), md5Slot(names[j]!))) return [names[i]!, names[j]!];
    }
  }
  throw new Error('no pair found');
}

describe('subnetSlots', () => {
  it('is md5(name) mod 100, as the old runner did', () => {
    const slots = subnetSlots(['e2e-docker', 'e2e-containerd']);
    expect(slots.get('e2e-docker')).toBe(md5Slot('e2e-docker'));
    expect(slots.get('e2e-containerd')).toBe(md5Slot('e2e-containerd'));
  });

  it('on an equal slot, the later name takes the next free slot', () => {
    const [first, second] = findPair((a, b) => a === b && a < 99);
    const slot = md5Slot(first);
    // pass them in reverse order: the rule goes by name, not by input order
    const slots = subnetSlots([second, first]);
    expect(slots.get(first)).toBe(slot);
    expect(slots.get(second)).toBe(slot + 1);
  });

  it('a later env whose external subnet would equal an earlier runtime subnet moves too', () => {
    // slot b = slot a + 40: 172.(60+b) == 172.(100+a)
    const [first, second] = findPair((a, b) => b === a + 40);
    const slots = subnetSlots([first, second]);
    expect(slots.get(first)).toBe(md5Slot(first));
    const moved = slots.get(second)!;
    expect(moved).not.toBe(md5Slot(second));
    const used = new Set([60 + slots.get(first)!, 100 + slots.get(first)!]);
    expect(used.has(60 + moved)).toBe(false);
    expect(used.has(100 + moved)).toBe(false);
  });

  it('gives every env of a large matrix distinct external and runtime octets while slots last', () => {
    const names = Array.from({ length: 20 }, (_, i) => `n${i}`);
    const slots = subnetSlots(names);
    const octets = [...slots.values()].flatMap((s) => [60 + s, 100 + s]);
    expect(new Set(octets).size).toBe(octets.length);
  });

  it('does not depend on which other envs are selected: it is computed over the given names', () => {
    const all = subnetSlots(['a', 'b', 'c']);
    expect(subnetSlots(['c', 'a', 'b'])).toEqual(all);
  });
});

describe('esbTag', () => {
  const now = new Date('2023-12-31T23:59:58.999Z');
  it('outside CI: e2e-<env>-latest', () => {
    expect(esbTag('alpha', { ci: false, gitSha: 'abcdef0123', now })).toBe('e2e-alpha-latest');
  });
  it('in CI with a sha: its first 7 hex', () => {
    expect(esbTag('alpha', { ci: true, gitSha: 'abcdef0123456789', now })).toBe('e2e-alpha-abcdef0');
  });
  it('in CI without a sha: a UTC timestamp', () => {
    expect(esbTag('alpha', { ci: true, gitSha: undefined, now })).toBe('e2e-alpha-20231231235958');
  });
});

describe('state dirs', () => {
  it('stagingConfigDir: ~/.esb/.cache/staging/esb-<env>-<sha256 8>/<env>/config', () => {
    const hash = createHash('sha256').update('esb-e2e-docker:e2e-docker').digest('hex').slice(0, 8);
    expect(stagingConfigDir('e2e-docker', { home: '/home/u', xdgCacheHome: undefined })).toBe(
      `/home/u/.esb/.cache/staging/esb-e2e-docker-${hash}/e2e-docker/config`,
    );
  });

  it('stagingConfigDir: under $XDG_CACHE_HOME/esb/staging when set', () => {
    const hash = createHash('sha256').update('esb-x:x').digest('hex').slice(0, 8);
    expect(stagingConfigDir('x', { home: '/home/u', xdgCacheHome: '/cache' })).toBe(`/cache/esb/staging/esb-x-${hash}/x/config`);
  });

  it('esbHome is e2e/fixtures/.esb/<env> under the root', () => {
    expect(esbHome('/proj', 'alpha')).toBe('/proj/e2e/fixtures/.esb/alpha');
  });

  it('stateRoots: project root, ~/.esb and $XDG_CACHE_HOME/esb', () => {
    expect(stateRoots('/proj', { home: '/home/u', xdgCacheHome: undefined })).toEqual(['/proj', '/home/u/.esb']);
    expect(stateRoots('/proj', { home: '/home/u', xdgCacheHome: '/c' })).toEqual(['/proj', '/home/u/.esb', '/c/esb']);
  });

  it('isInside: strictly inside a root', () => {
    const roots = ['/proj', '/home/u/.esb'];
    expect(isInside('/proj/e2e/fixtures/.esb/a', roots)).toBe(true);
    expect(isInside('/home/u/.esb/.cache/staging/x', roots)).toBe(true);
    expect(isInside('/proj', roots)).toBe(false);
    expect(isInside('/home/u/.esb', roots)).toBe(false);
    expect(isInside('/project-other/x', roots)).toBe(false);
    expect(isInside('/proj/../etc', roots)).toBe(false);
    expect(isInside('/home/u', roots)).toBe(false);
    expect(isInside('/', roots)).toBe(false);
  });

  it('every planned state dir lies inside the roots', () => {
    const dirs = { home: '/home/u', xdgCacheHome: undefined };
    const roots = stateRoots('/proj', dirs);
    expect(isInside(stagingConfigDir('any-env', dirs), roots)).toBe(true);
    expect(isInside(esbHome('/proj', 'any-env'), roots)).toBe(true);
  });
});

describe('names', () => {
  it('composeProject, gatewayContainer', () => {
    expect(composeProject('e2e-docker')).toBe('esb-e2e-docker');
    expect(gatewayContainer('esb-e2e-docker')).toBe('esb-e2e-docker-gateway');
  });

  it('inferMode: containerd or firecracker in the env dir or compose file name', () => {
    expect(inferMode('/p/e2e-containerd', ['/p/e2e-containerd/docker-compose.yml'])).toBe('containerd');
    expect(inferMode('/p/e2e-firecracker', [])).toBe('containerd');
    expect(inferMode('/p/env', ['/p/env/docker-compose.containerd.yml'])).toBe('containerd');
    expect(inferMode('/p/e2e-docker', ['/p/e2e-docker/docker-compose.yml'])).toBe('docker');
    // only base names count, not parent folders
    expect(inferMode('/containerd/stuff/env', ['/containerd/stuff/env/docker-compose.yml'])).toBe('docker');
  });
});
