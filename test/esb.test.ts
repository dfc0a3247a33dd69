// src/esb.ts: ESB conventions as small pure functions (ports, subnets, tags, state dirs,
// registry, credentials, managed keys, pytest URLs, published-port parsing).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors';
import {
  DEFAULT_PORT_VARS,
  PUBLISHED_PORTS,
  assignPorts,
  composeProject,
  credentials,
  esbHome,
  esbTag,
  forcedVars,
  gatewayContainer,
  inferMode,
  isGatewayKey,
  isInside,
  isManagedKey,
  matchPublishedPorts,
  parsePublishedPorts,
  portValue,
  pytestVars,
  registryVars,
  stagingConfigDir,
  stateRoots,
  subnetSlots,
  type ManagedContext,
  type PortBlock,
} from '../src/esb';

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

describe('ports', () => {
  const block = (index: number, envCount = 3): PortBlock => ({ vars: [...DEFAULT_PORT_VARS], base: 33000, block: 20, index, envCount });

  it('portValue: base + (index + shift*envCount)*block + offset', () => {
    expect(portValue(block(0), 'PORT_GATEWAY_HTTPS', 0)).toBe(33000);
    expect(portValue(block(2), 'PORT_S3_MGMT', 0)).toBe(33047);
    expect(portValue(block(2), 'PORT_S3_MGMT', 1)).toBe(33000 + (2 + 3) * 20 + 7);
  });

  it('assignPorts: unset, empty and 0 get the block; a set port is kept and not automatic', () => {
    const r = assignPorts(block(1), { PORT_GATEWAY_HTTPS: '0', PORT_GATEWAY_HTTP: '', PORT_S3: '41000', PORT_DATABASE: ' 42000 ' }, 0, 'm.yaml: matrix[1]');
    expect(r.values).toEqual({
      PORT_GATEWAY_HTTPS: 33020,
      PORT_GATEWAY_HTTP: 33021,
      PORT_AGENT_GRPC: 33022,
      PORT_AGENT_METRICS: 33023,
      PORT_VICTORIALOGS: 33024,
      PORT_DATABASE: 42000,
      PORT_S3: 41000,
      PORT_S3_MGMT: 33027,
    });
    expect(r.auto).toEqual(['PORT_GATEWAY_HTTPS', 'PORT_GATEWAY_HTTP', 'PORT_AGENT_GRPC', 'PORT_AGENT_METRICS', 'PORT_VICTORIALOGS', 'PORT_S3_MGMT']);
  });

  it.each(['abc', '12ab', '1.5', '-1', '70000', '65536'])('assignPorts: %s is not a port', (raw) => {
    const run = () => assignPorts(block(0), { PORT_S3: raw }, 0, 'm.yaml: matrix[0]');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(`m.yaml: matrix[0]: PORT_S3=${JSON.stringify(raw)} is not a port (1-65535, or 0 to let esb-e2e pick)`);
  });

  it('assignPorts: a block past 65535 is an error', () => {
    const high: PortBlock = { vars: ['PORT_A'], base: 65530, block: 20, index: 0, envCount: 1 };
    expect(assignPorts(high, {}, 0, 'w').values.PORT_A).toBe(65530);
    expect(() => assignPorts(high, {}, 1, 'w')).toThrow('w: no free port block left below 65535 for PORT_A');
  });
});

describe('registry, credentials, names', () => {
  it('registryVars: docker uses the host address, containerd the in-network name', () => {
    expect(registryVars('docker', 5010)).toEqual({
      PORT_REGISTRY: '5010',
      ESB_REGISTRY: '127.0.0.1:5010/',
      REGISTRY: '127.0.0.1:5010/',
      CONTAINER_REGISTRY: '127.0.0.1:5010',
      HOST_REGISTRY_ADDR: '127.0.0.1:5010',
      CONTAINER_REGISTRY_INSECURE: '1',
    });
    expect(registryVars('containerd', 6000)).toMatchObject({
      PORT_REGISTRY: '6000',
      ESB_REGISTRY: 'registry:5010/',
      REGISTRY: 'registry:5010/',
      CONTAINER_REGISTRY: 'registry:5010',
      HOST_REGISTRY_ADDR: '127.0.0.1:6000',
    });
  });

  it('credentials: generated with the right sizes when unset, kept when set', () => {
    const asked: number[] = [];
    const random = (bytes: number) => {
      asked.push(bytes);
      return 'f'.repeat(bytes * 2);
    };
    expect(credentials({}, random)).toEqual({
      AUTH_USER: 'esb',
      RUSTFS_ACCESS_KEY: 'esb',
      AUTH_PASS: 'f'.repeat(32),
      RUSTFS_SECRET_KEY: 'f'.repeat(32),
      JWT_SECRET_KEY: 'f'.repeat(64),
      X_API_KEY: 'f'.repeat(64),
    });
    expect(asked.sort()).toEqual([16, 16, 32, 32]);
    asked.length = 0;
    const kept = credentials({ AUTH_USER: 'admin', AUTH_PASS: 'pw-given', X_API_KEY: 'key-given' }, random);
    expect(kept).toMatchObject({ AUTH_USER: 'admin', AUTH_PASS: 'pw-given', X_API_KEY: 'key-given' });
    expect(asked.sort()).toEqual([16, 32]);
  });

  it('credentials: an empty value counts as unset', () => {
    expect(credentials({ AUTH_PASS: '' }, () => 'gen').AUTH_PASS).toBe('gen');
  });

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

  it('isManagedKey / isGatewayKey', () => {
    for (const key of ['ENV', 'ESB_TAG', 'PROJECT_NAME', 'X_API_KEY', 'CONFIG_DIR', 'GATEWAY_URL', 'AUTH_ENDPOINT_PATH', 'PORT_GATEWAY_HTTPS', 'AGENT_GRPC_TLS_CA']) {
      expect(isManagedKey(key, DEFAULT_PORT_VARS)).toBe(true);
    }
    for (const key of ['PATH', 'HOME', 'LOG_LEVEL', 'PORT_REGISTRY', 'CI']) expect(isManagedKey(key, DEFAULT_PORT_VARS)).toBe(false);
    expect(isManagedKey('PORT_CUSTOM', ['PORT_CUSTOM'])).toBe(true);
    expect(isGatewayKey('AGENT_GRPC_TLS_CERT')).toBe(true);
    expect(isGatewayKey('CONTAINERS_NETWORK')).toBe(true);
    expect(isGatewayKey('GATEWAY_INTERNAL_URL')).toBe(true);
    expect(isGatewayKey('GATEWAY_URL')).toBe(false);
  });
});

describe('forcedVars', () => {
  const ctx = (over: Partial<ManagedContext> = {}): ManagedContext => ({
    env: 'alpha',
    mode: 'docker',
    root: '/proj',
    composeFile: 'envs/alpha/docker-compose.yml',
    subnetSlot: 7,
    registryPort: 5010,
    tag: { ci: false, gitSha: undefined, now: new Date(0) },
    dirs: { home: '/home/u', xdgCacheHome: undefined },
    cliCmd: 'esb',
    envPrefix: 'ESB',
    dockerHost: undefined,
    dockerContext: undefined,
    md5: () => undefined,
    ...over,
  });

  it('sets the contract keys from the context', () => {
    const vars = forcedVars(ctx(), {});
    expect(vars).toMatchObject({
      ENV: 'alpha',
      ESB_ENV: 'alpha',
      MODE: 'docker',
      ESB_MODE: 'docker',
      ESB_PROJECT: 'esb',
      PROJECT_NAME: 'esb-alpha',
      E2E_COMPOSE_FILE: 'envs/alpha/docker-compose.yml',
      ESB_TAG: 'e2e-alpha-latest',
      NETWORK_EXTERNAL: 'esb-alpha-external',
      SUBNET_EXTERNAL: '172.67.0.0/16',
      RUNTIME_NET_SUBNET: '172.107.0.0/16',
      RUNTIME_NODE_IP: '172.107.0.10',
      LAMBDA_NETWORK: 'esb_int_alpha',
      CERT_DIR: '/home/u/.esb/certs',
      ESB_HOME: '/proj/e2e/fixtures/.esb/alpha',
      BUILDX_BUILDER: 'esb-buildx-alpha',
      BUILDX_CACHE_DIR: '.esb/buildx-cache/alpha',
    });
    expect(vars.ROOT_CA_FINGERPRINT).toBeUndefined();
    expect(vars.DOCKER_HOST).toBeUndefined();
  });

  it('ROOT_CA_FINGERPRINT from the CA file in CERT_DIR; DOCKER_HOST for a remote engine', () => {
    const asked: string[] = [];
    const vars = forcedVars(
      ctx({ dockerHost: 'ssh://ci@host-2', md5: (p) => (asked.push(p), 'f00d') }),
      { CERT_DIR: '~/certs' },
    );
    expect(vars.CERT_DIR).toBe('/home/u/certs');
    expect(asked).toEqual([join('/home/u/certs', 'rootCA.crt')]);
    expect(vars.ROOT_CA_FINGERPRINT).toBe('f00d');
    expect(vars.DOCKER_HOST).toBe('ssh://ci@host-2');
  });
});

describe('pytestVars', () => {
  it('builds the URLs pytest reads from the ports', () => {
    const env = { PORT_GATEWAY_HTTPS: '33000', PORT_VICTORIALOGS: '33004', PORT_AGENT_METRICS: '33003', PORT_AGENT_GRPC: '33002' };
    expect(pytestVars(env, {})).toEqual({
      GATEWAY_PORT: '33000',
      GATEWAY_URL: 'https://localhost:33000',
      VICTORIALOGS_PORT: '33004',
      VICTORIALOGS_URL: 'http://localhost:33004',
      AGENT_METRICS_PORT: '33003',
      AGENT_METRICS_URL: 'http://localhost:33003',
      AGENT_GRPC_ADDRESS: 'localhost:33002',
      AUTH_ENDPOINT_PATH: '/user/auth/v1',
    });
  });

  it('omits URLs for missing ports and keeps an AUTH_ENDPOINT_PATH the env sets', () => {
    expect(pytestVars({ AUTH_ENDPOINT_PATH: '/custom' }, {})).toEqual({ AUTH_ENDPOINT_PATH: '/custom' });
  });

  it('takes only the gateway keys from the gateway container env', () => {
    const out = pytestVars({}, { AGENT_GRPC_TLS_CERT: '/c.pem', CONTAINERS_NETWORK: 'net', GATEWAY_INTERNAL_URL: 'https://gateway:443', PATH: '/bin', SECRET: 'x' });
    expect(out).toEqual({ AUTH_ENDPOINT_PATH: '/user/auth/v1', AGENT_GRPC_TLS_CERT: '/c.pem', CONTAINERS_NETWORK: 'net', GATEWAY_INTERNAL_URL: 'https://gateway:443' });
  });
});

describe('matchPublishedPorts', () => {
  it('maps (service, container port) to its variable; the first mapping wins; others are ignored', () => {
    expect(
      matchPublishedPorts(
        [
          { service: 'gateway', privatePort: 8443, publicPort: 40219 },
          { service: 'gateway', privatePort: 8443, publicPort: 40220 },
          { service: 'runtime-node', privatePort: 50051, publicPort: 41051 },
          { service: 'gateway', privatePort: 9999, publicPort: 1 },
          { service: 'unknown', privatePort: 8000, publicPort: 2 },
        ],
        PUBLISHED_PORTS,
      ),
    ).toEqual({ PORT_GATEWAY_HTTPS: '40219', PORT_AGENT_GRPC: '41051' });
  });
});

describe('parsePublishedPorts', () => {
  it('maps a realistic docker ps listing to variables (first mapping wins, IPv6 duplicate ignored)', () => {
    const listing = [
      'gateway\t0.0.0.0:33001->8080/tcp, [::]:33001->8080/tcp, 0.0.0.0:33000->8443/tcp, [::]:33000->8443/tcp',
      'victorialogs\t0.0.0.0:33004->9428/tcp',
      'database\t0.0.0.0:33005->8000/tcp',
      's3-storage\t0.0.0.0:33006->9000/tcp, 0.0.0.0:33007->9001/tcp',
      'agent\t0.0.0.0:33002->50051/tcp, 0.0.0.0:33003->9091/tcp',
      'provisioner\t',
      'other\t0.0.0.0:1234->80/tcp',
      '',
    ].join('\n');
    expect(parsePublishedPorts(listing, PUBLISHED_PORTS)).toEqual({
      PORT_GATEWAY_HTTP: '33001',
      PORT_GATEWAY_HTTPS: '33000',
      PORT_VICTORIALOGS: '33004',
      PORT_DATABASE: '33005',
      PORT_S3: '33006',
      PORT_S3_MGMT: '33007',
      PORT_AGENT_GRPC: '33002',
      PORT_AGENT_METRICS: '33003',
    });
  });

  it('the exact line from the brief', () => {
    expect(parsePublishedPorts('gateway\t0.0.0.0:33001->8080/tcp, [::]:33001->8080/tcp', PUBLISHED_PORTS)).toEqual({ PORT_GATEWAY_HTTP: '33001' });
  });

  it('containerd: runtime-node publishes the gateway and agent ports', () => {
    const listing = 'runtime-node\t0.0.0.0:41443->8443/tcp, 0.0.0.0:41051->50051/tcp, 0.0.0.0:41091->9091/tcp\n';
    expect(parsePublishedPorts(listing, PUBLISHED_PORTS)).toEqual({
      PORT_GATEWAY_HTTPS: '41443',
      PORT_AGENT_GRPC: '41051',
      PORT_AGENT_METRICS: '41091',
    });
  });

  it('ignores unpublished container ports, udp and empty output', () => {
    expect(parsePublishedPorts('gateway\t8080/tcp, 0.0.0.0:5000->8443/udp\n', PUBLISHED_PORTS)).toEqual({});
    expect(parsePublishedPorts('', PUBLISHED_PORTS)).toEqual({});
  });

  it('uses the table it is given', () => {
    expect(parsePublishedPorts('web\t127.0.0.1:8081->80/tcp', [{ service: 'web', port: 80, variable: 'PORT_WEB' }])).toEqual({ PORT_WEB: '8081' });
  });
});
