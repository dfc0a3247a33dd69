// src/esb/current.ts (with the machinery of conventions.ts): the current layout's table of
// managed variables, held against test/fixtures/esb-head/ENV-CONTRACT.md ("Runtime env"):
// the "unless set" rules, the state dir, the builder name, the docker-only runtime subnet,
// pytest's own keys; then, through createPlan on an in-memory project, the port base 18000
// and `<brand>` in the env file's values.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentials, isManagedKey as isManagedIn, managedVars as managedIn, replacedByManaged as replacedIn, uniqueClaims as claimsIn, type ManagedContext } from '../../src/esb/conventions';
import { managedContext } from '../helpers/managed-context';
import { CURRENT, DEFAULT_BUILDER, GATEWAY_CREDENTIALS, savedCredentials, stateDir } from '../../src/esb/current';
import { LEGACY } from '../../src/esb/legacy';
import { DEFAULT_PORT_VARS } from '../../src/esb/ports';
import { createPlan } from '../../src/plan/planner';
import type { EnvPlan, Plan } from '../../src/plan/types';
import { memoryReader } from '../helpers/memory-reader';

const MANAGED = CURRENT.managed;
const managed = (ctx: ManagedContext) => managedIn(CURRENT, ctx);
const managedVars = (ctx: ManagedContext) => managed(ctx).vars;
const isManagedKey = (key: string) => isManagedIn(CURRENT, key, DEFAULT_PORT_VARS);
const replacedByManaged = (key: string) => replacedIn(CURRENT, key);

const ROOT = '/proj';

const ctx = (over: Partial<ManagedContext> = {}): ManagedContext =>
  managedContext({ env: 'e2e-docker', composeFile: 'e2e/environments/e2e-docker/docker-compose.yml', root: ROOT, ...over });

describe('the CURRENT layout', () => {
  it('is the current generation: port base 18000, brand esb, one state dir per env under <root>/.esb/e2e/state', () => {
    expect(CURRENT.name).toBe('current');
    expect(CURRENT.portBase).toBe(18000);
    expect(CURRENT.brand).toBe('esb');
    expect(CURRENT.oneRegistryPort).toBe(false);
    expect(stateDir('/proj', 'e2e-docker')).toBe('/proj/.esb/e2e/state/e2e-docker');
    expect(CURRENT.stateDirs('/proj', 'e2e-docker', { home: '/home/u', xdgCacheHome: undefined })).toEqual(['/proj/.esb/e2e/state/e2e-docker']);
    expect(savedCredentials('/proj', 'e2e-docker')).toBe('/proj/.esb/e2e/state/e2e-docker/config/.env');
    // The legacy one differs on each of these.
    expect(LEGACY.portBase).toBe(33000);
    expect(LEGACY.brand).toBeNull();
  });
});

describe('managedVars of the current layout, nothing set by the user', () => {
  it('docker mode: every key of the contract, with its derived value', () => {
    expect(managedVars(ctx())).toEqual({
      ENV: 'e2e-docker',
      ESB_ENV: 'e2e-docker',
      MODE: 'docker',
      ESB_MODE: 'docker',
      ESB_PROJECT: 'esb',
      PROJECT_NAME: 'esb-e2e-docker',
      ESB_TAG: 'e2e-e2e-docker-latest',
      ESB_INTERACTIVE: '0',
      ESB_HOME: '/proj/.esb/e2e/state/e2e-docker',
      ESB_REGISTRY: '127.0.0.1:5010/',
      HOST_REGISTRY_ADDR: '127.0.0.1:5010',
      CONTAINER_REGISTRY: '127.0.0.1:5010',
      REGISTRY: '127.0.0.1:5010/',
      CONTAINER_REGISTRY_INSECURE: '1',
      PORT_REGISTRY: '5010',
      NETWORK_EXTERNAL: 'esb-e2e-docker-external',
      SUBNET_EXTERNAL: '172.67.0.0/16',
      RUNTIME_NET_SUBNET: '172.107.0.0/16',
      RUNTIME_NODE_IP: '172.107.0.10',
      LAMBDA_NETWORK: 'esb_int_e2e-docker',
      ENV_PREFIX: 'ESB',
      ROOT_CA_MOUNT_ID: 'esb_root_ca',
      ROOT_CA_CERT_FILENAME: 'rootCA.crt',
      CERT_DIR: '/proj/.esb/certs',
      BUILDKITD_CONFIG: '/proj/.esb/buildkitd.toml',
      DOCKER_BUILDKIT: '1',
      COMPOSE_DOCKER_CLI_BUILD: '1',
      BUILDX_BUILDER: 'esb-buildx',
      ESB_SKIP_GATEWAY_ALIGN: '1',
    });
    expect(managed(ctx()).removed).toEqual([]);
  });

  it('none of the keys the contract says are no longer set', () => {
    const vars = managedVars(ctx({ mode: 'containerd' }));
    for (const gone of ['E2E_COMPOSE_FILE', 'CONFIG_DIR', 'CLI_CMD', 'BUILDX_CACHE_DIR', 'ESB_BUILDX_CACHE', 'ESB_BUILDX_CACHE_TO', 'COMPOSE_PROJECT_NAME']) {
      expect(vars[gone], gone).toBeUndefined();
      expect(MANAGED[gone], gone).toBeUndefined();
    }
  });

  it('ESB_HOME is absolute under the root, even for a relative root', () => {
    const vars = managedVars(ctx({ root: 'rel/proj', env: 'x' }));
    expect(vars.ESB_HOME).toBe(join(process.cwd(), 'rel', 'proj', '.esb', 'e2e', 'state', 'x'));
    expect(vars.CERT_DIR).toBe(join(process.cwd(), 'rel', 'proj', '.esb', 'certs'));
    expect(vars.BUILDKITD_CONFIG).toBe(join(process.cwd(), 'rel', 'proj', '.esb', 'buildkitd.toml'));
  });

  it('containerd mode: the registry inside the network, the runtime subnet removed (even when set)', () => {
    const plain = managed(ctx({ env: 'e2e-containerd', mode: 'containerd' }));
    expect(plain.vars).toMatchObject({
      MODE: 'containerd',
      ESB_MODE: 'containerd',
      ESB_REGISTRY: 'registry:5010/',
      CONTAINER_REGISTRY: 'registry:5010',
      REGISTRY: 'registry:5010/',
      HOST_REGISTRY_ADDR: '127.0.0.1:5010',
    });
    expect(plain.vars.RUNTIME_NET_SUBNET).toBeUndefined();
    expect(plain.vars.RUNTIME_NODE_IP).toBeUndefined();
    expect(plain.removed.sort()).toEqual(['RUNTIME_NET_SUBNET', 'RUNTIME_NODE_IP']);
    const set = managed(ctx({ mode: 'containerd', user: { RUNTIME_NET_SUBNET: '172.99.0.0/16', RUNTIME_NODE_IP: '172.99.0.10' } }));
    expect(set.removed.sort()).toEqual(['RUNTIME_NET_SUBNET', 'RUNTIME_NODE_IP']);
  });

  it('HOST_REGISTRY_ADDR follows the run registry port; PORT_REGISTRY stays 5010 inside compose', () => {
    const vars = managedVars(ctx({ registryPort: 45123 }));
    expect(vars).toMatchObject({ HOST_REGISTRY_ADDR: '127.0.0.1:45123', CONTAINER_REGISTRY: '127.0.0.1:45123', REGISTRY: '127.0.0.1:45123/', ESB_REGISTRY: '127.0.0.1:45123/', PORT_REGISTRY: '5010' });
    expect(managedVars(ctx({ mode: 'containerd', registryPort: 45123 }))).toMatchObject({ HOST_REGISTRY_ADDR: '127.0.0.1:45123', CONTAINER_REGISTRY: 'registry:5010' });
  });

  it('ESB_PROJECT from the matrix esb_project; the compose project stays esb-<env>', () => {
    const vars = managedVars(ctx({ esbProject: 'acme' }));
    expect(vars.ESB_PROJECT).toBe('acme');
    expect(vars.PROJECT_NAME).toBe('esb-e2e-docker');
  });

  it('subnets from the slot: 172.<60+slot> external, 172.<100+slot> runtime', () => {
    expect(managedVars(ctx({ subnetSlot: 0 }))).toMatchObject({ SUBNET_EXTERNAL: '172.60.0.0/16', RUNTIME_NET_SUBNET: '172.100.0.0/16', RUNTIME_NODE_IP: '172.100.0.10' });
    expect(managedVars(ctx({ subnetSlot: 99 }))).toMatchObject({ SUBNET_EXTERNAL: '172.159.0.0/16', RUNTIME_NET_SUBNET: '172.199.0.0/16', RUNTIME_NODE_IP: '172.199.0.10' });
  });

  it('ESB_TAG with CI: the git short sha, else a timestamp', () => {
    expect(managedVars(ctx({ tag: { ci: true, gitSha: '0123456789abcdef', now: new Date(0) } })).ESB_TAG).toBe('e2e-e2e-docker-0123456');
    expect(managedVars(ctx({ tag: { ci: true, gitSha: undefined, now: new Date('2024-05-06T07:08:09.123Z') } })).ESB_TAG).toBe('e2e-e2e-docker-20240506070809');
  });

  it('ROOT_CA_FINGERPRINT: md5 of rootCA.crt in CERT_DIR (the default, or the one set, relative to the root)', () => {
    const asked: string[] = [];
    const md5 = (p: string) => (asked.push(p), 'f00d');
    expect(managedVars(ctx({ md5 })).ROOT_CA_FINGERPRINT).toBe('f00d');
    expect(managedVars(ctx({ md5, user: { CERT_DIR: './certs-here' } })).ROOT_CA_FINGERPRINT).toBe('f00d');
    expect(managedVars(ctx({ md5, user: { CERT_DIR: '/abs/certs' } })).ROOT_CA_FINGERPRINT).toBe('f00d');
    expect(asked).toEqual(['/proj/.esb/certs/rootCA.crt', '/proj/certs-here/rootCA.crt', '/abs/certs/rootCA.crt']);
    expect(managedVars(ctx()).ROOT_CA_FINGERPRINT).toBeUndefined();
  });

  it('DOCKER_HOST and DOCKER_CONTEXT only for an env on another engine', () => {
    const vars = managedVars(ctx({ dockerHost: 'ssh://ci@host-2', dockerContext: 'remote' }));
    expect(vars.DOCKER_HOST).toBe('ssh://ci@host-2');
    expect(vars.DOCKER_CONTEXT).toBe('remote');
  });

  it('sets every key of the table but the ones whose rule gives nothing, and nothing else', () => {
    const vars = managedVars(ctx());
    expect(Object.keys(MANAGED).filter((k) => !(k in vars)).sort()).toEqual(['DOCKER_CONTEXT', 'DOCKER_HOST', 'ROOT_CA_FINGERPRINT']);
    expect(Object.keys(vars).every((k) => k in MANAGED)).toBe(true);
  });
});

describe('BUILDX_BUILDER', () => {
  it('esb-buildx, shared by every env', () => {
    expect(DEFAULT_BUILDER).toBe('esb-buildx');
    expect(managedVars(ctx({ env: 'a' })).BUILDX_BUILDER).toBe('esb-buildx');
    expect(managedVars(ctx({ env: 'b', mode: 'containerd' })).BUILDX_BUILDER).toBe('esb-buildx');
  });

  it('esb-buildx-proxy when the run goes through the proxy (E2E_WITH_PROXY=1)', () => {
    expect(managedVars(ctx({ withProxy: true })).BUILDX_BUILDER).toBe('esb-buildx-proxy');
    expect(managedVars(ctx({ withProxy: true, mode: 'containerd' })).BUILDX_BUILDER).toBe('esb-buildx-proxy');
  });

  it('a builder the user sets stands, proxy or not', () => {
    expect(managedVars(ctx({ user: { BUILDX_BUILDER: 'mine' } })).BUILDX_BUILDER).toBeUndefined();
    expect(managedVars(ctx({ user: { BUILDX_BUILDER: 'mine' }, withProxy: true })).BUILDX_BUILDER).toBeUndefined();
  });
});

describe('"unless set" rules', () => {
  // Keys the contract derives only when the env file / env_vars leave them unset.
  const UNLESS_SET: Record<string, string> = {
    CONTAINER_REGISTRY_INSECURE: '0',
    NETWORK_EXTERNAL: 'my-external',
    SUBNET_EXTERNAL: '10.1.0.0/16',
    RUNTIME_NET_SUBNET: '10.2.0.0/16',
    RUNTIME_NODE_IP: '10.2.0.10',
    LAMBDA_NETWORK: 'my-lambda',
    ROOT_CA_CERT_FILENAME: 'ca.pem',
    CERT_DIR: '/certs',
    BUILDKITD_CONFIG: '/etc/buildkitd.toml',
    DOCKER_BUILDKIT: '0',
    COMPOSE_DOCKER_CLI_BUILD: '0',
    BUILDX_BUILDER: 'custom-builder',
    ESB_SKIP_GATEWAY_ALIGN: '0',
  };

  it('a value set by the user leaves the key to the user (the managed layer gives nothing for it)', () => {
    const vars = managedVars(ctx({ user: UNLESS_SET }));
    for (const key of Object.keys(UNLESS_SET)) expect(vars[key], key).toBeUndefined();
    // The rest are still there.
    expect(vars).toMatchObject({ ENV: 'e2e-docker', PROJECT_NAME: 'esb-e2e-docker', ESB_HOME: '/proj/.esb/e2e/state/e2e-docker' });
  });

  it('each of them is derived again when the value is empty (empty counts as unset)', () => {
    const empty = Object.fromEntries(Object.keys(UNLESS_SET).map((k) => [k, '']));
    expect(managedVars(ctx({ user: empty }))).toEqual(managedVars(ctx()));
  });

  it('keys the contract always sets win over a user value', () => {
    const user = { ENV: 'other', ESB_ENV: 'other', MODE: 'containerd', PROJECT_NAME: 'p', ESB_INTERACTIVE: '1', ESB_HOME: '/h', HOST_REGISTRY_ADDR: 'x:1', CONTAINER_REGISTRY: 'y:2', ENV_PREFIX: 'X', ROOT_CA_MOUNT_ID: 'm' };
    expect(managedVars(ctx({ user }))).toMatchObject({
      ENV: 'e2e-docker',
      ESB_ENV: 'e2e-docker',
      MODE: 'docker',
      PROJECT_NAME: 'esb-e2e-docker',
      ESB_INTERACTIVE: '0',
      ESB_HOME: '/proj/.esb/e2e/state/e2e-docker',
      HOST_REGISTRY_ADDR: '127.0.0.1:5010',
      CONTAINER_REGISTRY: '127.0.0.1:5010',
      ENV_PREFIX: 'ESB',
      ROOT_CA_MOUNT_ID: 'esb_root_ca',
    });
  });

  it('ESB_TAG: derived when unset or "latest", else the user value stands', () => {
    expect(managedVars(ctx({ user: { ESB_TAG: 'latest' } })).ESB_TAG).toBe('e2e-e2e-docker-latest');
    expect(managedVars(ctx({ user: { ESB_TAG: '' } })).ESB_TAG).toBe('e2e-e2e-docker-latest');
    expect(managedVars(ctx({ user: { ESB_TAG: 'v1.2' } })).ESB_TAG).toBeUndefined();
  });

  it('ESB_REGISTRY: from the env file with a slash appended (once), in either mode', () => {
    expect(managedVars(ctx({ user: { ESB_REGISTRY: 'reg.example:5000' } })).ESB_REGISTRY).toBe('reg.example:5000/');
    expect(managedVars(ctx({ user: { ESB_REGISTRY: 'reg.example:5000/' } })).ESB_REGISTRY).toBe('reg.example:5000/');
    expect(managedVars(ctx({ mode: 'containerd', user: { ESB_REGISTRY: 'reg.example:5000' } })).ESB_REGISTRY).toBe('reg.example:5000/');
  });

  it('PORT_REGISTRY: the env file value stands; 5010 when unset or 0', () => {
    expect(managedVars(ctx({ user: { PORT_REGISTRY: '5999' } })).PORT_REGISTRY).toBeUndefined();
    expect(managedVars(ctx({ user: { PORT_REGISTRY: '0' } })).PORT_REGISTRY).toBe('5010');
    expect(managedVars(ctx({ user: { PORT_REGISTRY: '' } })).PORT_REGISTRY).toBe('5010');
  });

  it('docker mode: the runtime subnet the user sets stands', () => {
    const out = managed(ctx({ user: { RUNTIME_NET_SUBNET: '10.2.0.0/16' } }));
    expect(out.vars.RUNTIME_NET_SUBNET).toBeUndefined();
    expect(out.vars.RUNTIME_NODE_IP).toBe('172.107.0.10');
    expect(out.removed).toEqual([]);
  });
});

describe('what the current table says about each key', () => {
  it('the shell never supplies a managed key, but for its own settings (the registry port, a remote engine)', () => {
    expect(Object.keys(MANAGED).filter((k) => !isManagedKey(k)).sort()).toEqual(['DOCKER_HOST', 'PORT_REGISTRY']);
    for (const key of ['AUTH_USER', 'X_API_KEY', 'GATEWAY_URL', 'AGENT_GRPC_ADDRESS', 'AUTH_ENDPOINT_PATH', 'VERIFY_SSL', 'AGENT_GRPC_TLS_ENABLED', 'AGENT_GRPC_TLS_CA_CERT_PATH']) {
      expect(isManagedKey(key), key).toBe(true);
    }
    for (const key of ['PATH', 'HOME', 'LOG_LEVEL', 'CTL_BIN', 'E2E_WITH_PROXY']) expect(isManagedKey(key), key).toBe(false);
  });

  it('a matrix value for a managed key gets a note, but CERT_DIR and PORT_REGISTRY', () => {
    expect(Object.keys(MANAGED).filter((k) => !replacedByManaged(k)).sort()).toEqual(['CERT_DIR', 'PORT_REGISTRY']);
  });

  it('the values two envs may not share: project, state dir, networks, both subnets (in either mode)', () => {
    const vars = { PROJECT_NAME: 'esb-a', ESB_HOME: '/h', NETWORK_EXTERNAL: 'n', SUBNET_EXTERNAL: '172.60.0.0/16', RUNTIME_NET_SUBNET: '172.100.0.0/16', LAMBDA_NETWORK: 'l', ENV: 'a' };
    const claims = claimsIn(CURRENT, vars, 'docker').map(([claim]) => claim);
    expect(claims).toEqual([
      'PROJECT_NAME=esb-a',
      'ESB_HOME=/h',
      'NETWORK_EXTERNAL=n',
      'SUBNET_EXTERNAL=172.60.0.0/16',
      'subnet 172.60.0.0/16',
      'RUNTIME_NET_SUBNET=172.100.0.0/16',
      'subnet 172.100.0.0/16',
      'LAMBDA_NETWORK=l',
    ]);
  });
});

describe('credentials and pytest of the current layout', () => {
  it('the gateway must hold these credentials', () => {
    expect(GATEWAY_CREDENTIALS).toEqual(['AUTH_USER', 'AUTH_PASS', 'X_API_KEY', 'RUSTFS_ACCESS_KEY', 'RUSTFS_SECRET_KEY']);
  });

  it('credentials: the user value, else a saved one, else generated', () => {
    const out = credentials({ AUTH_USER: 'me' }, (n) => 'g'.repeat(n * 2), { AUTH_USER: 'old', AUTH_PASS: 'saved-pass' });
    expect(out).toMatchObject({ AUTH_USER: 'me', AUTH_PASS: 'saved-pass', RUSTFS_ACCESS_KEY: 'esb', X_API_KEY: 'g'.repeat(64), RUSTFS_SECRET_KEY: 'g'.repeat(32) });
  });

  it('pytest: URLs from the ports, the gateway credentials and keys, the gRPC address only when discovered, TLS files under CERT_DIR', () => {
    const env = { PORT_GATEWAY_HTTPS: '18020', PORT_VICTORIALOGS: '18024', PORT_AGENT_METRICS: '18023', PORT_AGENT_GRPC: '18022', AUTH_ENDPOINT_PATH: '/from-env' };
    const gateway = { AUTH_USER: 'u', AUTH_PASS: 'p', X_API_KEY: 'k', RUSTFS_ACCESS_KEY: 'a', RUSTFS_SECRET_KEY: 's', VERIFY_SSL: 'false', AGENT_GRPC_TLS_ENABLED: '1', PATH: '/bin', JWT_SECRET_KEY: 'j' };
    const out = CURRENT.pytestVars(env, gateway, { discovered: { PORT_AGENT_GRPC: '41051' }, certDir: '/c' });
    expect(out).toEqual({
      GATEWAY_PORT: '18020',
      GATEWAY_URL: 'https://localhost:18020',
      VICTORIALOGS_PORT: '18024',
      VICTORIALOGS_URL: 'http://localhost:18024',
      AGENT_METRICS_PORT: '18023',
      AGENT_METRICS_URL: 'http://localhost:18023',
      AGENT_GRPC_ADDRESS: 'localhost:41051',
      AUTH_USER: 'u',
      AUTH_PASS: 'p',
      X_API_KEY: 'k',
      RUSTFS_ACCESS_KEY: 'a',
      RUSTFS_SECRET_KEY: 's',
      VERIFY_SSL: 'false',
      AGENT_GRPC_TLS_ENABLED: '1',
      // The gateway's, else the default: not the env's.
      AUTH_ENDPOINT_PATH: '/user/auth/v1',
      AGENT_GRPC_TLS_CA_CERT_PATH: '/c/rootCA.crt',
      AGENT_GRPC_TLS_CERT_PATH: '/c/client.crt',
      AGENT_GRPC_TLS_KEY_PATH: '/c/client.key',
    });
    const plain = CURRENT.pytestVars(env, { AUTH_ENDPOINT_PATH: '/auth/v9', AUTH_PASS: '' }, { discovered: null, certDir: '/c' });
    expect(plain.AGENT_GRPC_ADDRESS).toBeUndefined();
    expect(plain.AUTH_ENDPOINT_PATH).toBe('/auth/v9');
    expect(plain.AUTH_PASS).toBeUndefined();
    expect(plain.AGENT_GRPC_TLS_CA_CERT_PATH).toBeUndefined();
  });

  it('isGatewayKey: the credentials, the container network, TLS keys; not the URLs', () => {
    for (const key of ['AUTH_USER', 'RUSTFS_SECRET_KEY', 'VERIFY_SSL', 'CONTAINERS_NETWORK', 'GATEWAY_INTERNAL_URL', 'AGENT_GRPC_TLS_ENABLED', 'AGENT_GRPC_TLS_ANY']) expect(CURRENT.isGatewayKey(key), key).toBe(true);
    for (const key of ['GATEWAY_URL', 'JWT_SECRET_KEY', 'PATH']) expect(CURRENT.isGatewayKey(key), key).toBe(false);
  });
});

// ---- Through planning: the port block and the env file's `<brand>` ----

const md5Slot = (name: string) => Number(BigInt(`0x${createHash('md5').update(name).digest('hex')}`) % 100n);

function currentProject(envFiles: Record<string, string>, matrixExtra = ''): ReturnType<typeof memoryReader> {
  const names = Object.keys(envFiles);
  const tree: Record<string, string> = {
    'e2e/environments/test_matrix.yaml': [
      matrixExtra,
      'suites:',
      '  smoke:',
      '    targets: [../scenarios/smoke/]',
      'matrix:',
      ...names.flatMap((n) => [`- env: ${n}`, `  artifact_manifest: e2e/artifacts/${n}/artifact.yml`, '  suites: [smoke]']),
      '',
    ].join('\n'),
    'e2e/scenarios/smoke/test_a.py': 'def test_a():\n    pass\n',
  };
  for (const n of names) {
    tree[`e2e/environments/${n}/docker-compose.yml`] = 'services: {}\n';
    tree[`e2e/environments/${n}/.env`] = envFiles[n]!;
  }
  return memoryReader(tree, '/mem/head');
}

function plan(reader: ReturnType<typeof memoryReader>, base: Record<string, string> = { HOME: '/mem/home' }): Plan {
  return createPlan({}, { root: reader.root, base, reader, random: (n) => 'a'.repeat(n * 2), now: new Date(0) });
}

const envOf = (p: Plan, name: string): EnvPlan => p.envs.find((e) => e.name === name)!;
const PORT_OFFSETS = ['PORT_GATEWAY_HTTPS', 'PORT_GATEWAY_HTTP', 'PORT_AGENT_GRPC', 'PORT_AGENT_METRICS', 'PORT_VICTORIALOGS', 'PORT_DATABASE', 'PORT_S3', 'PORT_S3_MGMT'];

describe('planned envs of the current layout', () => {
  it('is detected as current; ports from base 18000, 20 per env, envs sorted by name', () => {
    const p = plan(currentProject({ 'e2e-docker': 'PORT_GATEWAY_HTTPS=0\n', 'e2e-containerd': '' }));
    expect(p.generation).toBe('current');
    const base = { 'e2e-containerd': 18000, 'e2e-docker': 18020 } as const;
    for (const [name, start] of Object.entries(base)) {
      const env = envOf(p, name).env;
      PORT_OFFSETS.forEach((key, offset) => expect(env[key], `${name} ${key}`).toBe(String(start + offset)));
    }
  });

  it('a port the env file sets (non-zero) stands; a matrix port_base moves the block', () => {
    const p = plan(currentProject({ a: 'PORT_DATABASE=12345\n', b: '' }));
    expect(envOf(p, 'a').env.PORT_DATABASE).toBe('12345');
    expect(envOf(p, 'a').env.PORT_GATEWAY_HTTPS).toBe('18000');
    const moved = plan(currentProject({ a: '', b: '' }, 'port_base: 40000'));
    expect(envOf(moved, 'b').env.PORT_GATEWAY_HTTPS).toBe('40020');
  });

  it('the env mode from its name; containerd envs get no runtime subnet, even from the env file', () => {
    const p = plan(currentProject({ 'e2e-docker': '', 'e2e-containerd': 'RUNTIME_NET_SUBNET=172.99.0.0/16\nRUNTIME_NODE_IP=172.99.0.10\n' }));
    const docker = envOf(p, 'e2e-docker');
    const containerd = envOf(p, 'e2e-containerd');
    expect(docker.mode).toBe('docker');
    expect(containerd.mode).toBe('containerd');
    expect(docker.env.RUNTIME_NET_SUBNET).toBe(`172.${100 + md5Slot('e2e-docker')}.0.0/16`);
    expect(containerd.env.RUNTIME_NET_SUBNET).toBeUndefined();
    expect(containerd.env.RUNTIME_NODE_IP).toBeUndefined();
    expect(containerd.env.SUBNET_EXTERNAL).toBe(`172.${60 + md5Slot('e2e-containerd')}.0.0/16`);
  });

  it('ESB_HOME is <root>/.esb/e2e/state/<env>, and reset wipes it', () => {
    const p = plan(currentProject({ a: '' }));
    expect(envOf(p, 'a').env.ESB_HOME).toBe('/mem/head/.esb/e2e/state/a');
    expect(envOf(p, 'a').stateDirs).toEqual(['/mem/head/.esb/e2e/state/a']);
  });

  it('"unless set" through planning: the env file value stands over the derived one', () => {
    const p = plan(currentProject({ a: 'NETWORK_EXTERNAL=shared-ext\nBUILDX_BUILDER=b-own\nDOCKER_BUILDKIT=0\nESB_REGISTRY=reg:1\n', b: '' }));
    expect(envOf(p, 'a').env).toMatchObject({ NETWORK_EXTERNAL: 'shared-ext', BUILDX_BUILDER: 'b-own', DOCKER_BUILDKIT: '0', ESB_REGISTRY: 'reg:1/' });
    expect(envOf(p, 'b').env).toMatchObject({ NETWORK_EXTERNAL: 'esb-b-external', BUILDX_BUILDER: 'esb-buildx', DOCKER_BUILDKIT: '1', ESB_REGISTRY: '127.0.0.1:5010/' });
  });

  it('BUILDX_BUILDER esb-buildx-proxy with E2E_WITH_PROXY=1 in the shell or the env file; only "1" counts, the env file wins', () => {
    const files = { a: '', b: 'E2E_WITH_PROXY=1\n', c: 'E2E_WITH_PROXY=0\n', d: 'E2E_WITH_PROXY=yes\n' };
    const builders = (p: Plan) => Object.fromEntries(p.envs.map((e) => [e.name, e.env.BUILDX_BUILDER]));
    expect(builders(plan(currentProject(files)))).toEqual({ a: 'esb-buildx', b: 'esb-buildx-proxy', c: 'esb-buildx', d: 'esb-buildx' });
    const shell = { HOME: '/mem/home', E2E_WITH_PROXY: '1' };
    expect(builders(plan(currentProject(files), shell))).toEqual({ a: 'esb-buildx-proxy', b: 'esb-buildx-proxy', c: 'esb-buildx', d: 'esb-buildx' });
  });

  it('<brand> in the env file values becomes esb (every occurrence), keys untouched', () => {
    const p = plan(currentProject({ 'e2e-firecracker': 'CERT_DIR=./.<brand>/certs\nIMAGE=<brand>-x-<brand>\nPLAIN=brand\n' }));
    const env = envOf(p, 'e2e-firecracker').env;
    expect(env.CERT_DIR).toBe('./.esb/certs');
    expect(env.IMAGE).toBe('esb-x-esb');
    expect(env.PLAIN).toBe('brand');
    expect(Object.values(env).some((v) => v.includes('<brand>'))).toBe(false);
  });

  it('the legacy layout leaves <brand> as written (its runner did not replace it)', () => {
    const reader = memoryReader(
      {
        'e2e/environments/test_matrix.yaml': 'suites:\n  smoke:\n    targets: [../scenarios/smoke/]\nmatrix:\n- esb_env: e2e-docker\n  suites: [smoke]\n',
        'e2e/scenarios/smoke/test_a.py': '',
        'e2e/environments/e2e-docker/docker-compose.yml': 'services: {}\n',
        'e2e/environments/e2e-docker/.env': 'IMAGE=<brand>-x\n',
        'e2e/fixtures/template.yaml': 'Resources: {}\n',
      },
      '/mem/legacy',
    );
    const p = plan(reader);
    expect(p.generation).toBe('legacy');
    expect(envOf(p, 'e2e-docker').env.IMAGE).toBe('<brand>-x');
  });
});
