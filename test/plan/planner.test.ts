// src/planner.ts: createPlan on the real legacy ESB layout (disk) and on in-memory
// projects, with a fixed random, a fixed clock and a fixed base env.
import * as childProcess from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, UsageError } from '../../src/errors';
import { DEFAULT_PORT_VARS } from '../../src/esb/ports';
import { bind, planned, resolveLayers } from '../../src/plan/bind';
import { createPlan } from '../../src/plan/planner';
import type { EnvPlan, Plan, PlanContext } from '../../src/plan/types';
import { diskReader, type ProjectReader } from '../../src/io/reader';
import { memoryReader, newShapeTree, type MemoryReader } from '../helpers/memory-reader';

// Every child_process entry point is wrapped, so a spawn from planning would be seen.
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    spawn: vi.fn(real.spawn),
    spawnSync: vi.fn(real.spawnSync),
    exec: vi.fn(real.exec),
    execSync: vi.fn(real.execSync),
    execFile: vi.fn(real.execFile),
    execFileSync: vi.fn(real.execFileSync),
    fork: vi.fn(real.fork),
  };
});

const LEGACY_ROOT = resolve(__dirname, '..', 'fixtures', 'esb-legacy');
const NOW = new Date('2024-05-06T07:08:09.123Z');
const HOME = '/home/tester';
const LEGACY_BASE = { HOME, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } as const;

/** A random source that records what it handed out: `bytes` bytes as hex, unique per call. */
function recordingRandom() {
  const given: { bytes: number; value: string }[] = [];
  let n = 0;
  const random = (bytes: number) => {
    n += 1;
    const value = createHash('sha256').update(`seed-${n}`).digest('hex').repeat(4).slice(0, bytes * 2);
    given.push({ bytes, value });
    return value;
  };
  return { random, given };
}

function legacyContext(base: Record<string, string | undefined> = LEGACY_BASE, extra: Partial<PlanContext> = {}): PlanContext {
  return { root: LEGACY_ROOT, base, reader: diskReader, random: recordingRandom().random, now: NOW, ...extra };
}

function memContext(reader: MemoryReader, base: Record<string, string | undefined> = { HOME: '/mem/home' }, extra: Partial<PlanContext> = {}): PlanContext {
  return { root: reader.root, base, reader, random: recordingRandom().random, now: NOW, ...extra };
}

const envOf = (plan: Plan, name: string): EnvPlan => {
  const env = plan.envs.find((e) => e.name === name);
  if (!env) throw new Error(`no env ${name} in the plan (has ${plan.envs.map((e) => e.name).join(', ')})`);
  return env;
};

function md5Slot(name: string): number {
  return Number(BigInt(`0x${createHash('md5').update(name).digest('hex')}`) % 100n);
}

function stagingDir(home: string, env: string): string {
  const hash = createHash('sha256').update(`esb-${env}:${env}`).digest('hex').slice(0, 8);
  return join(home, '.esb', '.cache', 'staging', `esb-${env}-${hash}`, env, 'config');
}

function thrownRead(file: string): never {
  throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, nothing was thrown');
}

/** A two-or-more env project in the new shape. */
function project(envs: readonly string[], opts: { top?: string; perEnv?: Record<string, string>; extra?: Record<string, string> } = {}): MemoryReader {
  const matrix = [
    'suites:',
    '  smoke:',
    '    targets: [tests/smoke]',
    '  full:',
    '    targets: [tests/full, tests/smoke]',
    '    exclude: [tests/full/slow]',
    '    markers: "not flaky"',
    'infra: false',
    opts.top ?? '',
    'matrix:',
    ...envs.flatMap((env) => [`  - env: ${env}`, `    env_dir: envs/${env}`, '    suites: [smoke, full]', ...(opts.perEnv?.[env] ? [opts.perEnv[env]!] : [])]),
  ].join('\n');
  return memoryReader(newShapeTree(matrix + '\n', envs, { 'tests/full/slow/x.py': '', ...opts.extra }));
}

describe('legacy ESB layout (real files, disk reader)', () => {
  let plan: Plan;
  const rec = recordingRandom();
  beforeAll(() => {
    plan = createPlan({}, { ...legacyContext(), random: rec.random });
  });

  it('finds the legacy matrix and plans both envs in file order', () => {
    expect(plan.matrixFile).toBe(join(LEGACY_ROOT, 'e2e', 'environments', 'test_matrix.yaml'));
    expect(plan.envs.map((e) => e.name)).toEqual(['e2e-docker', 'e2e-containerd']);
    expect(plan.allEnvs).toEqual(['e2e-containerd', 'e2e-docker']);
    expect(plan.jobs).toBe(2);
    expect(plan.registryPort).toBe(5010);
    expect(plan.infra).toMatchObject({ composeFile: join(LEGACY_ROOT, 'docker-compose.infra.yml'), services: ['registry'], readyUrl: 'http://127.0.0.1:5010/v2/' });
  });

  it.each([
    ['e2e-docker', 'docker'],
    ['e2e-containerd', 'containerd'],
  ] as const)('%s: mode %s, compose project, files, targets, log path', (name, mode) => {
    const env = envOf(plan, name);
    const envDir = join(LEGACY_ROOT, 'e2e', 'environments', name);
    expect(env.mode).toBe(mode);
    expect(env.project).toBe(`esb-${name}`);
    expect(env.envDir).toBe(envDir);
    expect(env.composeFiles).toEqual([join(envDir, 'docker-compose.yml')]);
    expect(env.envFile).toBe(join(envDir, '.env'));
    expect(env.suites).toEqual(['smoke', 'standard']);
    expect(env.targets).toEqual(['e2e/scenarios/smoke', 'e2e/scenarios/autoscaling', 'e2e/scenarios/standard']);
    expect(env.excludes).toEqual([]);
    expect(env.markers).toBeNull();
    expect(env.deployTemplates).toEqual([join(LEGACY_ROOT, 'e2e', 'fixtures', 'template.yaml')]);
    expect(env.log).toBe(join(LEGACY_ROOT, 'e2e', `.parallel-${name}.log`));
    expect(env.junit).toBe(join(LEGACY_ROOT, 'e2e', `.junit-${name}.xml`));
    expect(env.timeouts).toEqual({ reset: 300, compose: 600, deploy: 1800, test: 3600 });
    expect(env.phases).toEqual({ reset: 'run', compose: 'run', deploy: 'run', test: 'run' });
    expect(env.esb).toBe('esb');
    expect(env.python).toBe('python3');
    expect(env.gatewayWait).toBe(true);
  });

  it('ports: index among all envs sorted by name, base 33000, block 20, DEFAULT_PORT_VARS order', () => {
    const expected = (index: number) => Object.fromEntries(DEFAULT_PORT_VARS.map((v, offset) => [v, 33000 + index * 20 + offset]));
    expect(envOf(plan, 'e2e-containerd').ports).toEqual(expected(0));
    expect(envOf(plan, 'e2e-docker').ports).toEqual(expected(1));
    expect(envOf(plan, 'e2e-containerd').ports.PORT_GATEWAY_HTTPS).toBe(33000);
    expect(envOf(plan, 'e2e-docker').ports.PORT_S3_MGMT).toBe(33027);
    for (const env of plan.envs) {
      for (const [k, v] of Object.entries(env.ports)) expect(env.env[k]).toBe(String(v));
      expect(env.autoPorts).toEqual([...DEFAULT_PORT_VARS]);
    }
  });

  it('an env keeps its ports when it runs alone', () => {
    const alone = createPlan({ envs: ['e2e-docker'] }, legacyContext());
    expect(alone.envs.map((e) => e.name)).toEqual(['e2e-docker']);
    expect(envOf(alone, 'e2e-docker').ports).toEqual(envOf(plan, 'e2e-docker').ports);
    expect(alone.jobs).toBe(1);
  });

  describe.each([
    ['e2e-docker', 'docker', 1],
    ['e2e-containerd', 'containerd', 0],
  ] as const)('ENV-CONTRACT runtime env of %s', (name, mode, index) => {
    const env = () => envOf(plan, name).env;

    it('identity, project, compose file and tag', () => {
      expect(env()).toMatchObject({
        ENV: name,
        ESB_ENV: name,
        MODE: mode,
        ESB_MODE: mode,
        ESB_PROJECT: 'esb',
        PROJECT_NAME: `esb-${name}`,
        E2E_COMPOSE_FILE: `e2e/environments/${name}/docker-compose.yml`,
        ESB_TAG: `e2e-${name}-latest`,
      });
    });

    it('the port block and the registry', () => {
      DEFAULT_PORT_VARS.forEach((v, offset) => expect(env()[v]).toBe(String(33000 + index * 20 + offset)));
      const registry = mode === 'docker' ? '127.0.0.1:5010' : 'registry:5010';
      expect(env()).toMatchObject({
        PORT_REGISTRY: '5010',
        ESB_REGISTRY: `${registry}/`,
        REGISTRY: `${registry}/`,
        CONTAINER_REGISTRY: registry,
        HOST_REGISTRY_ADDR: '127.0.0.1:5010',
        CONTAINER_REGISTRY_INSECURE: '1',
      });
    });

    it('generated credentials from the injected random', () => {
      const e = env();
      expect(e.AUTH_USER).toBe('esb');
      expect(e.RUSTFS_ACCESS_KEY).toBe('esb');
      const of = (bytes: number) => rec.given.filter((g) => g.bytes === bytes).map((g) => g.value);
      expect(e.AUTH_PASS).toMatch(/^[0-9a-f]{32}$/);
      expect(e.RUSTFS_SECRET_KEY).toMatch(/^[0-9a-f]{32}$/);
      expect(e.JWT_SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
      expect(e.X_API_KEY).toMatch(/^[0-9a-f]{64}$/);
      expect(of(16)).toContain(e.AUTH_PASS);
      expect(of(16)).toContain(e.RUSTFS_SECRET_KEY);
      expect(of(32)).toContain(e.JWT_SECRET_KEY);
      expect(of(32)).toContain(e.X_API_KEY);
    });

    it('network, subnets (md5 rule) and lambda network', () => {
      const slot = md5Slot(name);
      expect(env()).toMatchObject({
        NETWORK_EXTERNAL: `esb-${name}-external`,
        SUBNET_EXTERNAL: `172.${60 + slot}.0.0/16`,
        RUNTIME_NET_SUBNET: `172.${100 + slot}.0.0/16`,
        RUNTIME_NODE_IP: `172.${100 + slot}.0.10`,
        LAMBDA_NETWORK: `esb_int_${name}`,
      });
    });

    it('certs, staging config dir, state dir, buildx and branding', () => {
      expect(env()).toMatchObject({
        CERT_DIR: join(HOME, '.esb', 'certs'),
        ROOT_CA_CERT_FILENAME: 'rootCA.crt',
        ROOT_CA_MOUNT_ID: 'esb_root_ca',
        CONFIG_DIR: stagingDir(HOME, name),
        ESB_HOME: join(LEGACY_ROOT, 'e2e', 'fixtures', '.esb', name),
        DOCKER_BUILDKIT: '1',
        COMPOSE_DOCKER_CLI_BUILD: '1',
        BUILDX_BUILDER: `esb-buildx-${name}`,
        BUILDX_CACHE_DIR: `.esb/buildx-cache/${name}`,
        ESB_BUILDX_CACHE: '0',
        ESB_BUILDX_CACHE_TO: '0',
        CLI_CMD: 'esb',
        ENV_PREFIX: 'ESB',
      });
      // No CA file under this HOME: no fingerprint.
      expect(env().ROOT_CA_FINGERPRINT).toBeUndefined();
      expect(envOf(plan, name).stateDirs).toEqual([stagingDir(HOME, name), join(LEGACY_ROOT, 'e2e', 'fixtures', '.esb', name)]);
    });

    it('every other key of the env file passes through as written', () => {
      expect(env()).toMatchObject({
        LOG_LEVEL: 'DEBUG',
        HEARTBEAT_INTERVAL: '5',
        GATEWAY_IDLE_TIMEOUT_SECONDS: '15',
        CIRCUIT_BREAKER_THRESHOLD: '3',
        CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '10.0',
        DEFAULT_MAX_CAPACITY: '3',
        ORPHAN_GRACE_PERIOD_SECONDS: '30',
        PING_TIMEOUT: '1.0',
      });
      if (name === 'e2e-containerd') expect(env().AGENT_RUNTIME).toBe('containerd');
    });
  });

  it('the two envs share no project, network, subnet, port, log or state dir', () => {
    const [a, b] = plan.envs as [EnvPlan, EnvPlan];
    for (const key of ['PROJECT_NAME', 'NETWORK_EXTERNAL', 'SUBNET_EXTERNAL', 'RUNTIME_NET_SUBNET', 'LAMBDA_NETWORK', 'CONFIG_DIR', 'ESB_HOME', 'ESB_TAG', 'BUILDX_BUILDER']) {
      expect(a.env[key]).not.toBe(b.env[key]);
    }
    expect(new Set([...Object.values(a.ports), ...Object.values(b.ports)]).size).toBe(16);
    expect(a.log).not.toBe(b.log);
    expect(a.env.AUTH_PASS).not.toBe(b.env.AUTH_PASS);
  });

  it('the base env never supplies a managed key, a block port or a pytest-only URL', () => {
    const base = {
      ...LEGACY_BASE,
      PORT_GATEWAY_HTTPS: '9999',
      PORT_S3: '9000',
      X_API_KEY: 'from-the-shell',
      AUTH_PASS: 'shell-password',
      PROJECT_NAME: 'shell-project',
      ESB_TAG: 'shell-tag',
      GATEWAY_URL: 'https://shell:1',
      AGENT_GRPC_ADDRESS: 'shell:2',
      AGENT_GRPC_TLS_CERT: '/shell/cert',
      MY_TOKEN_HINT: 'kept',
    };
    const p = createPlan({}, legacyContext(base));
    for (const env of p.envs) {
      expect(env.env.PORT_GATEWAY_HTTPS).not.toBe('9999');
      expect(env.ports.PORT_GATEWAY_HTTPS).toBe(env.name === 'e2e-containerd' ? 33000 : 33020);
      expect(env.env.PORT_S3).not.toBe('9000');
      expect(env.env.X_API_KEY).not.toBe('from-the-shell');
      expect(env.env.AUTH_PASS).not.toBe('shell-password');
      expect(env.env.PROJECT_NAME).toBe(`esb-${env.name}`);
      expect(env.env.ESB_TAG).toBe(`e2e-${env.name}-latest`);
      expect(env.env.GATEWAY_URL).toBeUndefined();
    }
    for (const key of ['PORT_GATEWAY_HTTPS', 'PORT_S3', 'X_API_KEY', 'AUTH_PASS', 'PROJECT_NAME', 'ESB_TAG', 'GATEWAY_URL', 'AGENT_GRPC_ADDRESS', 'AGENT_GRPC_TLS_CERT']) {
      expect(p.base[key]).toBeUndefined();
    }
    expect(p.base).toMatchObject({ PATH: '/usr/bin:/bin', MY_TOKEN_HINT: 'kept' });
  });
});

describe('ESB_TAG', () => {
  it('with CI and a git sha: e2e-<env>-<7 hex>', () => {
    const p = createPlan({}, legacyContext({ ...LEGACY_BASE, CI: 'true' }, { gitSha: '0123456789abcdef0123456789abcdef01234567' }));
    expect(envOf(p, 'e2e-docker').env.ESB_TAG).toBe('e2e-e2e-docker-0123456');
    expect(envOf(p, 'e2e-containerd').env.ESB_TAG).toBe('e2e-e2e-containerd-0123456');
  });

  it('with CI and no sha: a timestamp from the injected clock', () => {
    const p = createPlan({}, legacyContext({ ...LEGACY_BASE, CI: '1' }));
    expect(envOf(p, 'e2e-docker').env.ESB_TAG).toBe('e2e-e2e-docker-20240506070809');
  });

  it('CI=false counts as not CI', () => {
    const p = createPlan({}, legacyContext({ ...LEGACY_BASE, CI: 'false' }, { gitSha: 'abcdef0123456' }));
    expect(envOf(p, 'e2e-docker').env.ESB_TAG).toBe('e2e-e2e-docker-latest');
  });
});

describe('PORT_REGISTRY: one registry port for the run', () => {
  it('replaces what the env file says', () => {
    const r = project(['alpha', 'beta'], { extra: { 'envs/alpha/.env': 'PORT_REGISTRY=7777\n' } });
    const p = createPlan({}, memContext(r));
    expect(envOf(p, 'alpha').env.PORT_REGISTRY).toBe('5010');
    expect(envOf(p, 'alpha').env.HOST_REGISTRY_ADDR).toBe('127.0.0.1:5010');
  });

  it('--set PORT_REGISTRY wins over the base env, and every registry variable follows it', () => {
    const p = createPlan({ set: { PORT_REGISTRY: '6000' } }, legacyContext({ ...LEGACY_BASE, PORT_REGISTRY: '7000' }));
    expect(p.registryPort).toBe(6000);
    expect(envOf(p, 'e2e-docker').env).toMatchObject({
      PORT_REGISTRY: '6000',
      ESB_REGISTRY: '127.0.0.1:6000/',
      REGISTRY: '127.0.0.1:6000/',
      CONTAINER_REGISTRY: '127.0.0.1:6000',
      HOST_REGISTRY_ADDR: '127.0.0.1:6000',
    });
    // containerd pulls through the registry's in-network name and container port
    expect(envOf(p, 'e2e-containerd').env).toMatchObject({ PORT_REGISTRY: '6000', ESB_REGISTRY: 'registry:5010/', HOST_REGISTRY_ADDR: '127.0.0.1:6000' });
    expect(p.infra?.readyUrl).toBe('http://127.0.0.1:6000/v2/');
  });

  it('the base env PORT_REGISTRY is used without --set', () => {
    const p = createPlan({}, legacyContext({ ...LEGACY_BASE, PORT_REGISTRY: '7000' }));
    expect(p.registryPort).toBe(7000);
    expect(envOf(p, 'e2e-docker').env.PORT_REGISTRY).toBe('7000');
    expect(envOf(p, 'e2e-docker').env.ESB_REGISTRY).toBe('127.0.0.1:7000/');
  });

  it('a matrix env_vars PORT_REGISTRY that differs is a config error naming it', () => {
    const r = project(['alpha', 'beta'], { perEnv: { beta: '    env_vars: { PORT_REGISTRY: 6001 }' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('e2e-matrix.yaml:17:5: matrix[1].env_vars.PORT_REGISTRY: 6001 differs from the run\'s registry port 5010');
  });

  it('a matrix env_vars PORT_REGISTRY equal to the run\'s port is fine', () => {
    const r = project(['alpha', 'beta'], { perEnv: { beta: '    env_vars: { PORT_REGISTRY: 5010 }' } });
    expect(envOf(createPlan({}, memContext(r)), 'beta').env.PORT_REGISTRY).toBe('5010');
  });

  it('a PORT_REGISTRY that is not a port is an error naming where it came from', () => {
    const error = thrown(() => createPlan({ set: { PORT_REGISTRY: 'abc' } }, legacyContext()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('--set PORT_REGISTRY');
  });
});

describe('selection', () => {
  it('--env filters; an unknown env is a UsageError naming the known envs', () => {
    expect(createPlan({ envs: ['e2e-containerd'] }, legacyContext()).envs.map((e) => e.name)).toEqual(['e2e-containerd']);
    const error = thrown(() => createPlan({ envs: ['nope'] }, legacyContext()));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('--env: unknown env "nope" (known: e2e-docker, e2e-containerd)');
  });

  it('--env with a typo suggests the nearest name', () => {
    expect(thrown(() => createPlan({ envs: ['e2e-dockr'] }, legacyContext())).message).toContain('did you mean "e2e-docker"?');
  });

  it('--suite keeps only that suite\'s targets; an unknown suite is a UsageError', () => {
    const p = createPlan({ suites: ['smoke'] }, legacyContext());
    for (const env of p.envs) {
      expect(env.suites).toEqual(['smoke']);
      expect(env.targets).toEqual(['e2e/scenarios/smoke']);
    }
    const error = thrown(() => createPlan({ suites: ['smok'] }, legacyContext()));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('--suite: unknown suite "smok" (did you mean "smoke"? known: smoke, standard)');
  });

  it('--suite drops envs that do not run it', () => {
    const r = memoryReader(
      newShapeTree(
        'suites:\n  smoke:\n    targets: [tests/smoke]\n  full:\n    targets: [tests/full]\ninfra: false\nmatrix:\n  - env: a\n    env_dir: envs/a\n    suites: [smoke]\n  - env: b\n    env_dir: envs/b\n    suites: [full]\n',
        ['a', 'b'],
      ),
    );
    expect(createPlan({ suites: ['full'] }, memContext(r)).envs.map((e) => e.name)).toEqual(['b']);
  });

  it('--shard i/n: sorted names, round-robin', () => {
    const r = project(['echo', 'charlie', 'alpha', 'delta', 'bravo']);
    const names = (i: number, n: number) => createPlan({ shard: { index: i, count: n } }, memContext(r)).envs.map((e) => e.name).sort();
    expect(names(1, 2)).toEqual(['alpha', 'charlie', 'echo']);
    expect(names(2, 2)).toEqual(['bravo', 'delta']);
    expect(names(1, 3)).toEqual(['alpha', 'delta']);
    expect(names(2, 3)).toEqual(['bravo', 'echo']);
    expect(names(3, 3)).toEqual(['charlie']);
    // every env lands in exactly one shard
    expect([...names(1, 4), ...names(2, 4), ...names(3, 4), ...names(4, 4)].sort()).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  });

  it('a shard with no env plans nothing and says so', () => {
    const p = createPlan({ shard: { index: 3, count: 3 } }, legacyContext());
    expect(p.envs).toEqual([]);
    expect(p.notices.join('\n')).toContain('shard 3/3 has no env');
  });

  it('--test-target needs exactly one env', () => {
    const error = thrown(() => createPlan({ testTarget: 'e2e/scenarios/smoke' }, legacyContext()));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('--test-target needs exactly one env (got 2: e2e-docker, e2e-containerd)');
    const p = createPlan({ envs: ['e2e-docker'], testTarget: 'e2e/scenarios/smoke' }, legacyContext());
    expect(envOf(p, 'e2e-docker').targets).toEqual(['e2e/scenarios/smoke']);
  });

  it('--test-target keeps a ::node id and refuses a missing path', () => {
    const r = project(['alpha']);
    const p = createPlan({ testTarget: 'tests/smoke/test_a.py::test_a' }, memContext(r));
    expect(envOf(p, 'alpha').targets).toEqual(['tests/smoke/test_a.py::test_a']);
    const error = thrown(() => createPlan({ testTarget: 'tests/nope.py' }, memContext(r)));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('tests/nope.py');
  });

  it('jobs default to the number of selected envs; --jobs is kept', () => {
    const r = project(['a1', 'a2', 'a3']);
    expect(createPlan({}, memContext(r)).jobs).toBe(3);
    expect(createPlan({ envs: ['a2'] }, memContext(r)).jobs).toBe(1);
    expect(createPlan({ jobs: 2 }, memContext(r)).jobs).toBe(2);
  });
});

describe('per env settings', () => {
  it('timeouts: built-in < defaults.timeouts < env timeouts < --timeout', () => {
    const r = project(['alpha', 'beta'], {
      top: 'defaults:\n  timeouts: { reset: 30, test: 100, compose: 70 }',
      perEnv: { alpha: '    timeouts: { test: 200, deploy: 50 }' },
    });
    const p = createPlan({ timeouts: { deploy: 7 } }, memContext(r));
    expect(envOf(p, 'alpha').timeouts).toEqual({ reset: 30, compose: 70, deploy: 7, test: 200 });
    expect(envOf(p, 'beta').timeouts).toEqual({ reset: 30, compose: 70, deploy: 7, test: 100 });
    expect(envOf(createPlan({}, memContext(r)), 'beta').timeouts).toEqual({ reset: 30, compose: 70, deploy: 1800, test: 100 });
  });

  it('--test-only skips reset, compose and deploy (and the registry); --build-only skips test', () => {
    const testOnly = createPlan({ testOnly: true }, legacyContext());
    for (const env of testOnly.envs) expect(env.phases).toEqual({ reset: 'skip', compose: 'skip', deploy: 'skip', test: 'run' });
    expect(testOnly.infra).toBeNull();
    const buildOnly = createPlan({ buildOnly: true }, legacyContext());
    for (const env of buildOnly.envs) expect(env.phases).toEqual({ reset: 'run', compose: 'run', deploy: 'run', test: 'skip' });
    expect(buildOnly.infra).not.toBeNull();
  });

  it('--log-dir moves the log, compose log and junit files', () => {
    const p = createPlan({ logDir: 'out/logs' }, legacyContext());
    expect(p.logDir).toBe(join(LEGACY_ROOT, 'out', 'logs'));
    expect(envOf(p, 'e2e-docker').log).toBe(join(LEGACY_ROOT, 'out', 'logs', '.parallel-e2e-docker.log'));
    expect(envOf(p, 'e2e-docker').composeLog).toBe(join(LEGACY_ROOT, 'out', 'logs', '.parallel-e2e-docker.compose.log'));
  });

  it('suites merge targets in order without duplicates, with excludes and markers', () => {
    const r = project(['alpha']);
    const env = envOf(createPlan({}, memContext(r)), 'alpha');
    expect(env.targets).toEqual(['tests/smoke', 'tests/full']);
    expect(env.excludes).toEqual(['tests/full/slow']);
    // smoke has no markers: the merged selection cannot narrow by marker
    expect(env.markers).toBeNull();
    expect(envOf(createPlan({ suites: ['full'] }, memContext(r)), 'alpha').markers).toBe('not flaky');
  });

  it('mode: inferred from the env dir (firecracker -> containerd), defaults.mode, explicit mode', () => {
    const r = project(['fc-firecracker', 'plain', 'forced'], {
      top: 'defaults:\n  mode: docker',
      perEnv: { forced: '    mode: containerd' },
    });
    const p = createPlan({}, memContext(r));
    expect(envOf(p, 'forced').mode).toBe('containerd');
    expect(envOf(p, 'plain').mode).toBe('docker');
    // defaults.mode wins over inference
    expect(envOf(p, 'fc-firecracker').mode).toBe('docker');
    const inferred = createPlan({}, memContext(project(['fc-firecracker', 'plain'])));
    expect(envOf(inferred, 'fc-firecracker').mode).toBe('containerd');
    expect(envOf(inferred, 'fc-firecracker').env.ESB_REGISTRY).toBe('registry:5010/');
  });

  it('a missing deploy template is a config error unless --test-only', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    deploy_templates: [missing.yaml]' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('e2e-matrix.yaml:14:5: matrix[0].deploy_templates: deploy template not found: missing.yaml');
    expect(createPlan({ testOnly: true }, memContext(r)).envs).toHaveLength(1);
  });

  it('no deploy_templates: e2e/fixtures/template.yaml of the root, an error naming it when missing', () => {
    const matrix = 'suites:\n  s:\n    targets: [tests/smoke]\ninfra: false\nmatrix:\n  - env: a\n    env_dir: envs/a\n    suites: [s]\n';
    const withTemplate = memoryReader(newShapeTree(matrix, ['a']));
    expect(createPlan({}, memContext(withTemplate)).envs[0]?.deployTemplates).toEqual([withTemplate.abs('e2e/fixtures/template.yaml')]);
    const { 'e2e/fixtures/template.yaml': _gone, ...rest } = newShapeTree(matrix, ['a']);
    const error = thrown(() => createPlan({}, memContext(memoryReader(rest))));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('deploy template not found: e2e/fixtures/template.yaml');
  });

  it('config/defaults.env supplies CLI_CMD and ENV_PREFIX, and the esb program', () => {
    const r = project(['alpha'], { extra: { 'config/defaults.env': 'CLI_CMD=acme\nENV_PREFIX=ACME\n' } });
    const env = envOf(createPlan({}, memContext(r)), 'alpha');
    expect(env.env.CLI_CMD).toBe('acme');
    expect(env.env.ENV_PREFIX).toBe('ACME');
    expect(env.esb).toBe('acme');
  });

  it('XDG_CACHE_HOME moves CONFIG_DIR to $XDG_CACHE_HOME/esb/staging', () => {
    const r = project(['alpha']);
    const env = envOf(createPlan({}, memContext(r, { HOME: '/mem/home', XDG_CACHE_HOME: '/mem/cache' })), 'alpha');
    const hash = createHash('sha256').update('esb-alpha:alpha').digest('hex').slice(0, 8);
    expect(env.env.CONFIG_DIR).toBe(`/mem/cache/esb/staging/esb-alpha-${hash}/alpha/config`);
    expect(env.stateDirs[0]).toBe(env.env.CONFIG_DIR);
  });

  it('ROOT_CA_FINGERPRINT is the md5 of the CA file when it exists; CERT_DIR from the env file (~ expanded)', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n';
    const r = project(['alpha', 'beta'], {
      extra: { '../home/.esb/certs/rootCA.crt': ca, '../elsewhere/rootCA.crt': 'other', 'envs/beta/.env': 'CERT_DIR=/mem/elsewhere\n' },
    });
    const p = createPlan({}, memContext(r, { HOME: '/mem/home' }));
    expect(envOf(p, 'alpha').env.CERT_DIR).toBe('/mem/home/.esb/certs');
    expect(envOf(p, 'alpha').env.ROOT_CA_FINGERPRINT).toBe(createHash('md5').update(ca).digest('hex'));
    expect(envOf(p, 'beta').env.CERT_DIR).toBe('/mem/elsewhere');
    expect(envOf(p, 'beta').env.ROOT_CA_FINGERPRINT).toBe(createHash('md5').update('other').digest('hex'));
    const tilde = project(['alpha'], { extra: { 'envs/alpha/.env': 'CERT_DIR=~/.esb/certs\n' } });
    expect(envOf(createPlan({}, memContext(tilde, { HOME: '/mem/h2' })), 'alpha').env.CERT_DIR).toBe('/mem/h2/.esb/certs');
  });

  it('the firecracker env file: credentials it sets are kept, managed keys replaced, PORT_REGISTRY=0 -> 5010', () => {
    const fcEnv = readFileSync(join(LEGACY_ROOT, 'e2e', 'environments', 'e2e-firecracker', '.env'), 'utf8');
    const r = project(['e2e-firecracker'], { extra: { 'envs/e2e-firecracker/.env': fcEnv } });
    const env = envOf(createPlan({}, memContext(r)), 'e2e-firecracker');
    expect(env.mode).toBe('containerd');
    expect(env.env).toMatchObject({
      AUTH_USER: 'test-admin',
      AUTH_PASS: 'test-secure-password',
      JWT_SECRET_KEY: 'test-secret-key-must-be-at-least-32-chars',
      X_API_KEY: 'test-api-key',
      RUSTFS_ACCESS_KEY: 'rustfsadmin',
      RUSTFS_SECRET_KEY: 'rustfsadmin',
      LAMBDA_NETWORK: 'esb_int_e2e-firecracker',
      CONTAINER_REGISTRY: 'registry:5010',
      PORT_REGISTRY: '5010',
      IDLE_TIMEOUT_MINUTES: '1',
      CONTAINERD_RUNTIME: 'aws.firecracker',
    });
  });
});

describe('what the runner reads from the plan to save work', () => {
  it('composeBuilds: a compose file with build, include or extends (or one that cannot be read) may need --build', () => {
    const r = project(['plain', 'builds', 'includes', 'extends'], {
      extra: {
        'envs/builds/docker-compose.yml': 'services:\n  gw:\n    image: gw\n    build:\n      context: .\n',
        'envs/includes/docker-compose.yml': 'include:\n  - ../common.yml\nservices: {}\n',
        'envs/extends/docker-compose.yml': 'services:\n  gw:\n    extends: { file: ../common.yml, service: base }\n',
      },
    });
    const p = createPlan({}, memContext(r));
    expect(p.envs.map((e) => [e.name, e.composeBuilds])).toEqual([
      ['plain', false],
      ['builds', true],
      ['includes', true],
      ['extends', true],
    ]);
    const unreadable = project(['alpha'], { extra: { 'envs/alpha/docker-compose.yml': 'services: {}\n' } });
    const failing = { ...unreadable, readText: (f: string) => (f.endsWith('docker-compose.yml') ? thrownRead(f) : unreadable.readText(f)) };
    expect(envOf(createPlan({}, memContext(failing as MemoryReader)), 'alpha').composeBuilds).toBe(true);
  });

  it('dockerApi: on unless ESB_E2E_DOCKER_API is 0 or off; another value is a config error naming it', () => {
    const r = project(['alpha']);
    const with_ = (v: string | undefined) => createPlan({}, memContext(r, { HOME: '/h', ESB_E2E_DOCKER_API: v })).dockerApi;
    for (const v of [undefined, '', '1', 'on', 'auto', 'AUTO']) expect(with_(v)).toBe(true);
    for (const v of ['0', 'off', 'OFF']) expect(with_(v)).toBe(false);
    expect(thrown(() => with_('yes')).message).toBe(
      'environment ESB_E2E_DOCKER_API="yes": expected 1 (ask a local engine over its socket, the default) or 0 (always the docker CLI)',
    );
  });
});

describe('programs, infra and matrix-level settings', () => {
  it('paths in the matrix are relative to its folder (env_dir, targets, deploy_templates, esb, python)', () => {
    const r = memoryReader({
      'ci/e2e.yaml':
        'suites:\n  s:\n    targets: [../tests/smoke]\ninfra: false\nesb: ../tools/esb\npython: ../venv/bin/python\nmatrix:\n  - env: a\n    env_dir: ../envs/a\n    suites: [s]\n    deploy_templates: [templates/t.yaml]\n',
      'ci/templates/t.yaml': '',
      'tests/smoke/test_a.py': '',
      'envs/a/docker-compose.yml': '',
    });
    const p = createPlan({ matrix: 'ci/e2e.yaml' }, memContext(r));
    const env = envOf(p, 'a');
    expect(env.envDir).toBe(r.abs('envs/a'));
    expect(env.targets).toEqual(['tests/smoke']);
    expect(env.deployTemplates).toEqual([r.abs('ci/templates/t.yaml')]);
    expect(env.esb).toBe(r.abs('tools/esb'));
    expect(env.python).toBe(r.abs('venv/bin/python'));
    expect(env.envFile).toBeNull();
  });

  it('the esb program: ESB_CLI in the env wins over matrix esb and CLI_CMD', () => {
    const r = project(['alpha', 'beta'], {
      top: 'esb: bin/esb-from-matrix',
      perEnv: { alpha: '    env_vars: { ESB_CLI: /opt/esb/bin/esb }' },
      extra: { 'config/defaults.env': 'CLI_CMD=acme\n' },
    });
    const p = createPlan({}, memContext(r));
    expect(envOf(p, 'alpha').esb).toBe('/opt/esb/bin/esb');
    expect(envOf(p, 'beta').esb).toBe(r.abs('bin/esb-from-matrix'));
  });

  it('the python program: E2E_PYTHON from the base env, else python3', () => {
    const r = project(['alpha']);
    expect(envOf(createPlan({}, memContext(r, { HOME: '/h', E2E_PYTHON: '/usr/bin/python3.12' })), 'alpha').python).toBe('/usr/bin/python3.12');
    expect(envOf(createPlan({}, memContext(r)), 'alpha').python).toBe('python3');
  });

  it('infra: false plans no registry; a missing default infra file is a notice', () => {
    expect(createPlan({}, memContext(project(['alpha']))).infra).toBeNull();
    const noInfraKey = memoryReader(newShapeTree('suites:\n  s:\n    targets: [tests/smoke]\nmatrix:\n  - env: a\n    env_dir: envs/a\n    suites: [s]\n', ['a']));
    const p = createPlan({}, memContext(noInfraKey));
    expect(p.infra).toBeNull();
    expect(p.notices.join('\n')).toContain('no docker-compose.infra.yml at the project root');
    const withFile = memoryReader({ ...newShapeTree('suites:\n  s:\n    targets: [tests/smoke]\nmatrix:\n  - env: a\n    env_dir: envs/a\n    suites: [s]\n', ['a']), 'docker-compose.infra.yml': '' });
    expect(createPlan({}, memContext(withFile)).infra).toEqual({
      composeFile: withFile.abs('docker-compose.infra.yml'),
      project: 'esb-infra',
      services: ['registry'],
      readyUrl: 'http://127.0.0.1:5010/v2/',
      readyTimeout: 60,
      container: 'esb-infra-registry',
      alias: 'registry',
    });
  });

  it('an infra ready_url may use ${PORT_REGISTRY}', () => {
    const matrix = 'suites:\n  s:\n    targets: [tests/smoke]\ninfra:\n  compose_file: infra.yml\n  ready_url: "http://127.0.0.1:${PORT_REGISTRY}/v2/_catalog"\nmatrix:\n  - env: a\n    env_dir: envs/a\n    suites: [s]\n';
    const r = memoryReader({ ...newShapeTree(matrix, ['a']), 'infra.yml': '' });
    const p = createPlan({ set: { PORT_REGISTRY: '6100' } }, memContext(r));
    expect(p.infra?.readyUrl).toBe('http://127.0.0.1:6100/v2/_catalog');
    expect(p.infra?.composeFile).toBe(r.abs('infra.yml'));
  });

  it('compose, published_ports, auto_build, gateway_env, custom ports and blocks', () => {
    const r = project(['alpha', 'beta'], {
      top: 'compose: [podman-compose]\npublished_ports: false\nauto_build: false\ngateway_env: false\nports: [PORT_WEB, PORT_API]\nport_base: 40000\nport_block: 5',
    });
    const p = createPlan({}, memContext(r));
    expect(p.compose).toEqual(['podman-compose']);
    expect(p.publishedPorts).toEqual([]);
    expect(p.autoBuild).toBe(false);
    expect(p.gatewayEnv).toBe(false);
    expect(envOf(p, 'alpha').ports).toEqual({ PORT_WEB: 40000, PORT_API: 40001 });
    expect(envOf(p, 'beta').ports).toEqual({ PORT_WEB: 40005, PORT_API: 40006 });
    // the default port variables are not managed in this matrix: the base env may set them
    expect(envOf(p, 'alpha').env.PORT_GATEWAY_HTTPS).toBe('0');
  });

  it('wait: env wait replaces the default gateway wait; defaults.wait applies to all', () => {
    const r = project(['alpha', 'beta'], {
      top: 'defaults:\n  wait: [{ url: "http://127.0.0.1:1/health", timeout: 5 }]',
      perEnv: { alpha: '    wait: [{ url: "http://127.0.0.1:2/ready" }]' },
    });
    const p = createPlan({}, memContext(r));
    expect(envOf(p, 'alpha').wait).toEqual([{ url: 'http://127.0.0.1:2/ready', timeout: 60 }]);
    expect(envOf(p, 'beta').wait).toEqual([{ url: 'http://127.0.0.1:1/health', timeout: 5 }]);
    expect(envOf(p, 'alpha').gatewayWait).toBe(false);
    expect(envOf(createPlan({}, memContext(project(['x']))), 'x').gatewayWait).toBe(true);
  });

  it('a differing defaults.env_vars PORT_REGISTRY is an error naming defaults', () => {
    const r = project(['alpha'], { top: 'defaults:\n  env_vars: { PORT_REGISTRY: 6002 }' });
    expect(thrown(() => createPlan({}, memContext(r))).message).toContain('e2e-matrix.yaml:10:3: defaults.env_vars.PORT_REGISTRY: 6002 differs');
  });
});

describe('env resolution in the plan', () => {
  it('precedence: base < env file < defaults.env_vars < env env_vars < managed < --set', () => {
    const r = project(['alpha'], {
      top: 'defaults:\n  env_vars: { Q: defaults, R: defaults, S: defaults, ESB_TAG: from-defaults }',
      perEnv: { alpha: '    env_vars: { R: env, S: env, PROJECT_NAME: from-env-vars }' },
      extra: { 'envs/alpha/.env': 'P=file\nQ=file\nR=file\nS=file\nPROJECT_NAME=from-file\n' },
    });
    const p = createPlan({ set: { S: 'set', ESB_TAG: 'from-set' } }, memContext(r, { HOME: '/mem/home', O: 'base', P: 'base' }));
    const env = envOf(p, 'alpha').env;
    expect(env).toMatchObject({ P: 'file', Q: 'defaults', R: 'env', S: 'set', PROJECT_NAME: 'esb-alpha', ESB_TAG: 'from-set' });
    // a base-only key is not repeated in the env (the runner starts from the base env)
    expect(env.O).toBeUndefined();
    expect(p.base.O).toBe('base');
    // a managed key set in env_vars is replaced, with a notice that says how to force it
    expect(p.notices.join('\n')).toContain('matrix[0].env_vars.PROJECT_NAME is managed by esb-e2e');
  });

  it('--set of a managed key wins for that env', () => {
    const p = createPlan({ envs: ['e2e-docker'], set: { NETWORK_EXTERNAL: 'my-net', AUTH_PASS: 'given-password' } }, legacyContext());
    expect(envOf(p, 'e2e-docker').env.NETWORK_EXTERNAL).toBe('my-net');
    expect(envOf(p, 'e2e-docker').env.AUTH_PASS).toBe('given-password');
  });

  it('a port set to a non-zero value is kept; 0 or unset gets the block', () => {
    const r = project(['alpha', 'beta'], { perEnv: { alpha: '    env_vars: { PORT_S3: 41000 }' } });
    const env = envOf(createPlan({}, memContext(r)), 'alpha');
    expect(env.ports.PORT_S3).toBe(41000);
    expect(env.autoPorts).not.toContain('PORT_S3');
    expect(env.ports.PORT_GATEWAY_HTTPS).toBe(33000);
  });

  it('a non-numeric port is a config error naming the env and variable', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    env_vars: { PORT_S3: abc }' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('e2e-matrix.yaml:14:5: matrix[0]: PORT_S3="abc" is not a port (1-65535, or 0 to let esb-e2e pick)');
  });

  it('interpolation: ${VAR}, ${VAR:-default}, ${VAR-default} against the final env, ports included', () => {
    const r = project(['alpha'], {
      perEnv: {
        alpha:
          '    env_vars:\n      URL: "https://localhost:${PORT_GATEWAY_HTTPS}/health"\n      D1: "${UNSET:-d1}"\n      D2: "${EMPTY-d2}"\n      D3: "${EMPTY:-d3}"\n      D4: "${UNSET-d4}"\n      FROM_BASE: "${SHELL_VAR}-x"\n      CHAIN: "${URL}#${PROJECT_NAME}"\n      NESTED: "${UNSET:-${PROJECT_NAME}}"',
      },
    });
    const env = envOf(createPlan({}, memContext(r, { HOME: '/mem/home', SHELL_VAR: 'sv', EMPTY: '' })), 'alpha').env;
    expect(env).toMatchObject({
      URL: 'https://localhost:33000/health',
      D1: 'd1',
      D2: '',
      D3: 'd3',
      D4: 'd4',
      FROM_BASE: 'sv-x',
      CHAIN: 'https://localhost:33000/health#esb-alpha',
      NESTED: 'esb-alpha',
    });
  });

  it('interpolation of a block port uses the planned port, never one from the base env', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    env_vars: { URL: "http://x:${PORT_GATEWAY_HTTP}" }' } });
    const env = envOf(createPlan({}, memContext(r, { HOME: '/mem/home', PORT_GATEWAY_HTTP: '1' })), 'alpha').env;
    expect(env.URL).toBe('http://x:33001');
  });

  it('interpolation sees --set values (it happens last)', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    env_vars: { ENDPOINT: "https://${API_HOST}/v1", API_HOST: default-host }' } });
    expect(envOf(createPlan({}, memContext(r)), 'alpha').env.ENDPOINT).toBe('https://default-host/v1');
    expect(envOf(createPlan({ set: { API_HOST: 'set-host' } }, memContext(r)), 'alpha').env.ENDPOINT).toBe('https://set-host/v1');
  });

  it('$(...) and backticks stay literal', () => {
    const r = project(['alpha'], {
      perEnv: { alpha: '    env_vars: { CMD: "$(touch /tmp/esb-e2e-pwned)", TICKS: "`id`", DOLLAR: "$HOME" }' },
      extra: { 'envs/alpha/.env': 'FILE_CMD="$(id -u)"\n' },
    });
    const env = envOf(createPlan({}, memContext(r)), 'alpha').env;
    expect(env.CMD).toBe('$(touch /tmp/esb-e2e-pwned)');
    expect(env.TICKS).toBe('`id`');
    expect(env.DOLLAR).toBe('$HOME');
    expect(env.FILE_CMD).toBe('$(id -u)');
  });

  it('a reference cycle is a config error naming the key', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    env_vars: { A: "${B}", B: "${A}" }' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('e2e-matrix.yaml:14:5: matrix[0].env_vars.A: reference cycle A -> B -> A');
  });

  it('an undefined reference is a config error naming the key', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    env_vars: { A: "x-${NOPE}" }' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('e2e-matrix.yaml:14:5: matrix[0].env_vars.A: ${NOPE} has no value and no default');
  });

  it('a --set self reference is a cycle naming --set', () => {
    const error = thrown(() => createPlan({ envs: ['e2e-docker'], set: { LOOP: '${LOOP}' } }, legacyContext()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('--set LOOP');
  });

  it.each([
    [{ PORT_GATEWAY_HTTPS: '9443' }, 'port 9443'],
    [{ NETWORK_EXTERNAL: 'x' }, 'NETWORK_EXTERNAL=x'],
    [{ SUBNET_EXTERNAL: '172.20.0.0/16' }, '172.20.0.0/16'],
    [{ PROJECT_NAME: 'same' }, 'PROJECT_NAME=same'],
  ])('two envs forced onto the same resource (--set %o) is a config error naming both', (set, what) => {
    const error = thrown(() => createPlan({ set }, legacyContext()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('"e2e-docker"');
    expect(error.message).toContain('"e2e-containerd"');
    expect(error.message).toContain(what);
  });

  it('one env with two port variables on the same port is an error', () => {
    const r = project(['alpha'], { perEnv: { alpha: '    env_vars: { PORT_S3: 40000, PORT_DATABASE: 40000 }' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('alpha');
    expect(error.message).toContain('40000');
  });

  it('env_vars PORT_* of one env on the block of another is refused', () => {
    // beta's block starts at 33020; alpha pins a port there
    const r = project(['alpha', 'beta'], { perEnv: { alpha: '    env_vars: { PORT_S3: 33020 }' } });
    const error = thrown(() => createPlan({}, memContext(r)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('"alpha" and "beta"');
  });
});

describe('resolveLayers and bind (the runner re-resolves with moved or discovered ports)', () => {
  it('shift 1 moves automatic ports up by envCount blocks and keeps fixed ones', () => {
    const r = project(['alpha', 'beta', 'gamma'], { perEnv: { beta: '    env_vars: { PORT_S3: 41000, URL: "http://h:${PORT_GATEWAY_HTTPS}" }' } });
    const p = createPlan({}, memContext(r));
    const beta = envOf(p, 'beta');
    expect(beta.ports.PORT_GATEWAY_HTTPS).toBe(33020);
    const moved = resolveLayers(beta.layers, beta.block, p.base, 1, {});
    // index 1, 3 envs: 33000 + (1 + 1*3) * 20
    expect(moved.ports.values.PORT_GATEWAY_HTTPS).toBe(33080);
    expect(moved.ports.values.PORT_S3_MGMT).toBe(33087);
    expect(moved.ports.values.PORT_S3).toBe(41000);
    expect(moved.ports.auto).not.toContain('PORT_S3');
    expect(moved.vars.PORT_GATEWAY_HTTPS).toBe('33080');
    expect(moved.vars.URL).toBe('http://h:33080');
    // the rest of the env is unchanged
    expect(moved.vars.PROJECT_NAME).toBe('esb-beta');
    expect(moved.vars.AUTH_PASS).toBe(beta.env.AUTH_PASS);
  });

  it('shift 0 and no discovery reproduce the planned env', () => {
    const p = createPlan({}, legacyContext());
    const env = envOf(p, 'e2e-docker');
    expect(resolveLayers(env.layers, env.block, p.base, 0, {}).vars).toEqual(env.env);
  });

  it('discovered ports override the planned ones', () => {
    const p = createPlan({}, legacyContext());
    const env = envOf(p, 'e2e-docker');
    const r = resolveLayers(env.layers, env.block, p.base, 0, { PORT_GATEWAY_HTTPS: '45001', PORT_VICTORIALOGS: '45002' });
    expect(r.vars.PORT_GATEWAY_HTTPS).toBe('45001');
    expect(r.vars.PORT_VICTORIALOGS).toBe('45002');
    expect(r.vars.PORT_DATABASE).toBe('33025');
  });

  it('bind: each binding is a new frozen value on top of the base env; the plan is untouched', () => {
    const r = project(['alpha', 'beta', 'gamma'], { perEnv: { beta: '    env_vars: { URL: "http://h:${PORT_GATEWAY_HTTPS}" }' } });
    const p = createPlan({}, memContext(r, { HOME, PATH: '/bin' }));
    const beta = envOf(p, 'beta');
    const first = planned(p, beta);
    expect(first).toMatchObject({ shift: 0, discovered: null });
    expect(first.vars.PATH).toBe('/bin');
    expect(first.vars.PORT_GATEWAY_HTTPS).toBe('33020');
    const moved = bind(p, beta, first, { shift: 1 });
    expect(moved.vars.PORT_GATEWAY_HTTPS).toBe('33080');
    expect(moved.vars.URL).toBe('http://h:33080');
    expect(moved.vars.PATH).toBe('/bin');
    const found = bind(p, beta, moved, { discovered: { PORT_GATEWAY_HTTPS: '45001' } });
    expect(found).toMatchObject({ shift: 1, discovered: { PORT_GATEWAY_HTTPS: '45001' } });
    expect(found.vars.URL).toBe('http://h:45001');
    expect(found.vars.PORT_S3).toBe('33086');
    for (const b of [first, moved, found]) {
      expect(Object.isFrozen(b)).toBe(true);
      expect(Object.isFrozen(b.vars)).toBe(true);
    }
    expect(beta.env.PORT_GATEWAY_HTTPS).toBe('33020');
    expect(first.vars.PORT_GATEWAY_HTTPS).toBe('33020');
  });

  it('bind: discovered ports equal to the current ones keep the same variables (no second resolve)', () => {
    const p = createPlan({}, legacyContext());
    const env = envOf(p, 'e2e-docker');
    const first = planned(p, env);
    const same = bind(p, env, first, { discovered: { PORT_GATEWAY_HTTPS: first.vars.PORT_GATEWAY_HTTPS! } });
    expect(same.vars).toBe(first.vars);
    expect(same.discovered).toEqual({ PORT_GATEWAY_HTTPS: first.vars.PORT_GATEWAY_HTTPS });
    const other = bind(p, env, same, { discovered: { PORT_GATEWAY_HTTPS: '45001' } });
    expect(other.vars).not.toBe(first.vars);
    expect(other.vars.GATEWAY_URL).toBeUndefined();
    expect(other.vars.PORT_GATEWAY_HTTPS).toBe('45001');
  });
});

describe('purity', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-planner-'));
    const write = (rel: string, text: string) => {
      mkdirSync(join(tmp, rel, '..'), { recursive: true });
      writeFileSync(join(tmp, rel), text);
    };
    write('e2e-matrix.yaml', 'suites:\n  smoke:\n    targets: [tests]\nmatrix:\n  - env: one\n    env_dir: envs/one\n    suites: [smoke]\n  - env: two\n    env_dir: envs/two\n    suites: [smoke]\n');
    write('tests/test_a.py', 'def test_a():\n    pass\n');
    write('e2e/fixtures/template.yaml', 'Resources: {}\n');
    write('docker-compose.infra.yml', 'services: {}\n');
    for (const env of ['one', 'two']) {
      write(`envs/${env}/docker-compose.yml`, 'services: {}\n');
      write(`envs/${env}/.env`, `X=${env}\nCMD=$(touch ${join(tmp, 'pwned')})\n`);
    }
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const listing = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: false })
      .map(String)
      .sort()
      .map((rel) => {
        const st = statSync(join(dir, rel));
        return `${rel} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`;
      });

  const ctx = (): PlanContext => ({ root: tmp, base: { HOME: join(tmp, 'home') }, reader: diskReader, random: recordingRandom().random, now: NOW });

  it('writes no file in the project (listing and mtimes unchanged)', () => {
    const before = listing(tmp);
    const p = createPlan({}, ctx());
    expect(p.envs).toHaveLength(2);
    expect(listing(tmp)).toEqual(before);
  });

  it('spawns nothing (every child_process entry point is watched)', () => {
    const watched = [childProcess.spawn, childProcess.spawnSync, childProcess.exec, childProcess.execSync, childProcess.execFile, childProcess.execFileSync, childProcess.fork];
    for (const fn of watched) expect(vi.isMockFunction(fn)).toBe(true);
    // the watch works: a real call is counted
    childProcess.execFileSync(process.execPath, ['-e', '']);
    expect(vi.mocked(childProcess.execFileSync)).toHaveBeenCalledTimes(1);
    for (const fn of watched) vi.mocked(fn).mockClear();
    createPlan({}, ctx());
    createPlan({}, legacyContext());
    for (const fn of watched) expect(vi.mocked(fn)).not.toHaveBeenCalled();
  });

  it('only reads through the injected reader', () => {
    const r = project(['alpha', 'beta']);
    createPlan({}, memContext(r));
    expect(r.calls.length).toBeGreaterThan(0);
    expect(new Set(r.calls.map((c) => c.op))).toEqual(new Set(['kind', 'readText', 'md5']));
    const read = r.calls.filter((c) => c.op === 'readText').map((c) => c.path);
    expect(read).toContain(r.abs('e2e-matrix.yaml'));
    expect(read).toContain(r.abs('envs/alpha/.env'));
  });

  it('leaves process.env unchanged', () => {
    const before = structuredClone({ ...process.env });
    createPlan({ set: { FOO_SET: '1', PORT_REGISTRY: '6000' } }, { ...ctx(), base: { ...process.env } });
    createPlan({}, legacyContext());
    expect({ ...process.env }).toEqual(before);
  });

  it('returns a deep-frozen plan', () => {
    const p = createPlan({ pytestArgs: ['-k', 'x'] }, legacyContext());
    const unfrozen: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (value === null || typeof value !== 'object') return;
      if (!Object.isFrozen(value)) unfrozen.push(path);
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(p, 'plan');
    expect(unfrozen).toEqual([]);
    const env = p.envs[0]!;
    expect(Object.isFrozen(env.env)).toBe(true);
    expect(Object.isFrozen(env.block.vars)).toBe(true);
    expect(Object.isFrozen(env.layers.managed)).toBe(true);
    expect(() => {
      (env.env as Record<string, string>).ENV = 'changed';
    }).toThrow(TypeError);
  });

  it('equal input gives deep-equal plans', () => {
    const a = createPlan({ set: { K: 'v' } }, legacyContext(LEGACY_BASE, { gitSha: 'abc1234' }));
    const b = createPlan({ set: { K: 'v' } }, legacyContext(LEGACY_BASE, { gitSha: 'abc1234' }));
    expect(a).not.toBe(b);
    expect(b).toEqual(a);
    const r1 = createPlan({}, memContext(project(['alpha', 'beta'])));
    const r2 = createPlan({}, memContext(project(['alpha', 'beta'])));
    expect(r2).toEqual(r1);
  });

  it('does not execute $(...) in an env file on disk', () => {
    const p = createPlan({}, ctx());
    expect(envOf(p, 'one').env.CMD).toBe(`$(touch ${join(tmp, 'pwned')})`);
    expect(() => statSync(join(tmp, 'pwned'))).toThrow();
  });
});

describe('matrix discovery', () => {
  it('prefers e2e-matrix.yaml over the legacy file; --matrix overrides', () => {
    const both = project(['alpha'], { extra: { 'e2e/environments/test_matrix.yaml': 'not: used\n' } });
    expect(createPlan({}, memContext(both)).matrixFile).toBe(both.abs('e2e-matrix.yaml'));
    const r = project(['alpha'], { extra: { 'other.yaml': 'suites:\n  s:\n    targets: [tests/smoke]\ninfra: false\nmatrix:\n  - env: zeta\n    env_dir: envs/alpha\n    suites: [s]\n' } });
    const p = createPlan({ matrix: 'other.yaml' }, memContext(r));
    expect(p.envs.map((e) => e.name)).toEqual(['zeta']);
  });

  it('no matrix anywhere is a config error that names both places', () => {
    const empty: ProjectReader = memoryReader({ 'README.md': '' });
    const error = thrown(() => createPlan({}, { root: '/mem/project', base: {}, reader: empty, random: recordingRandom().random, now: NOW }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('e2e-matrix.yaml');
    expect(error.message).toContain('e2e/environments/test_matrix.yaml');
  });

  it('pytest args pass through to the plan', () => {
    expect(createPlan({ pytestArgs: ['-k', 'gateway', '-x'] }, legacyContext()).pytestArgs).toEqual(['-k', 'gateway', '-x']);
  });
});

