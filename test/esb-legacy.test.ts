// The real ESB layout (test/fixtures/esb-legacy), run unchanged from its own folder
// with fake docker / esb / python3: phase by phase, the command lines and variables that
// its ENV-CONTRACT.md lists.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKES, REPO, joined, readCalls, runCli, type Call, type CliResult } from './helpers/fake-project';
import { httpServer, httpsServer, type TestServer } from './helpers/servers';

const LEGACY = resolve(REPO, 'test', 'fixtures', 'esb-legacy');
const ENVS = [
  { name: 'e2e-docker', mode: 'docker', gatewayService: 'gateway' },
  { name: 'e2e-containerd', mode: 'containerd', gatewayService: 'runtime-node' },
] as const;

let tmp: string;
let registry: TestServer;
let gateway: TestServer;
let result: CliResult;
let calls: Call[];
const published = { victorialogs: 41428, database: 41800, s3: 41900, s3mgmt: 41901, grpc: 41051, metrics: 41091 };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-legacy-'));
  registry = await httpServer();
  gateway = await httpsServer();
  const ps = (service: string) =>
    [
      `${service}\\t0.0.0.0:${gateway.port}->8443/tcp, [::]:${gateway.port}->8443/tcp`,
      `victorialogs\\t0.0.0.0:${published.victorialogs}->9428/tcp`,
      `database\\t0.0.0.0:${published.database}->8000/tcp`,
      `s3-storage\\t0.0.0.0:${published.s3}->9000/tcp, 0.0.0.0:${published.s3mgmt}->9001/tcp`,
      `agent\\t0.0.0.0:${published.grpc}->50051/tcp, 0.0.0.0:${published.metrics}->9091/tcp`,
    ].join('\\n');
  const config = 'services:\\n  os-base:\\n    image: esb-os-base:latest\\n    build: {context: services/common}\\n  gateway:\\n    image: gw\\n';
  const rules = [
    ...ENVS.map((e) => `docker|${e.name}|ps --filter|print=${ps(e.gatewayService)}`),
    `docker|*| config|print=${config}`,
    'docker|e2e-docker|image inspect|exit=1',
    'docker|e2e-containerd|image inspect|exit=0',
  ].join('\n');
  result = await runCli(['run', '--log-dir', join(tmp, 'logs'), '--set', `PORT_REGISTRY=${registry.port}`], {
    cwd: LEGACY,
    env: {
      PATH: `${FAKES}:${process.env.PATH}`,
      HOME: join(tmp, 'home'),
      FAKE_LOG: join(tmp, 'calls'),
      FAKE_RULES: rules,
      // The fake docker answers here, not a real engine on this machine.
      ESB_E2E_DOCKER_API: '0',
      // A CI shell's exports must not pin ports or credentials.
      PORT_GATEWAY_HTTPS: '9999',
      X_API_KEY: 'from-the-shell',
    },
  });
  calls = readCalls(join(tmp, 'calls'));
}, 60_000);

afterAll(async () => {
  await registry.close();
  await gateway.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the legacy ESB layout, run with fakes', () => {
  it('passes, starting the shared registry once before any env', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const infra = calls.filter((c) => joined(c) === 'docker compose --project-name esb-infra --file docker-compose.infra.yml up --detach registry');
    expect(infra).toHaveLength(1);
    const firstEnvCall = calls.find((c) => c.env.ENV === 'e2e-docker' || c.env.ENV === 'e2e-containerd')!;
    expect(infra[0]!.end!).toBeLessThanOrEqual(firstEnvCall.start);
    expect(registry.requests).toContain('/v2/');
    expect(result.stdout).toContain('[infra] registry ready');
  });

  for (const env of ENVS) {
    describe(env.name, () => {
      const mine = () => calls.filter((c) => c.env.ENV === env.name);
      const find = (needle: string) => {
        const found = mine().filter((c) => joined(c).includes(needle));
        expect(found.length, needle).toBeGreaterThan(0);
        return found[0]!;
      };
      const compose = `docker compose --project-name esb-${env.name} --file e2e/environments/${env.name}/docker-compose.yml --env-file e2e/environments/${env.name}/.env`;

      it('runs the contract commands in order', () => {
        const lines = mine().map(joined);
        const order = [
          `${compose} down --volumes --remove-orphans`,
          `docker ps --all --quiet --filter label=com.docker.compose.project=esb-${env.name}`,
          `docker network ls --quiet --filter label=com.docker.compose.project=esb-${env.name}`,
          `docker volume ls --quiet --filter label=com.docker.compose.project=esb-${env.name}`,
          env.mode === 'docker' ? `${compose} up --detach --build` : `${compose} up --detach`,
          `docker network connect --alias registry esb-${env.name}-external esb-infra-registry`,
          `docker ps --filter label=com.docker.compose.project=esb-${env.name} --format`,
          `esb --env-file e2e/environments/${env.name}/.env --template e2e/fixtures/template.yaml deploy --verbose --no-save-defaults --env ${env.name} --mode ${env.mode}`,
          `python3 -m pytest e2e/scenarios/smoke e2e/scenarios/autoscaling e2e/scenarios/standard -v --junitxml`,
        ];
        let at = -1;
        for (const step of order) {
          const next = lines.findIndex((l, i) => i > at && l.startsWith(step));
          expect(next, `${step}\n--- in ---\n${lines.join('\n')}`).toBeGreaterThan(at);
          at = next;
        }
        // Published ports are discovered in one call.
        expect(lines.filter((l) => l.startsWith('docker ps --filter')).length).toBe(1);
      });

      it('hands compose, deploy and pytest the runtime env of the contract', () => {
        for (const c of [find('up --detach'), find('deploy --verbose'), find('-m pytest')]) {
          const v = c.env;
          expect(v.ENV).toBe(env.name);
          expect(v.ESB_ENV).toBe(env.name);
          expect(v.MODE).toBe(env.mode);
          expect(v.ESB_MODE).toBe(env.mode);
          expect(v.ESB_PROJECT).toBe('esb');
          expect(v.PROJECT_NAME).toBe(`esb-${env.name}`);
          expect(v.E2E_COMPOSE_FILE).toBe(`e2e/environments/${env.name}/docker-compose.yml`);
          expect(v.ESB_TAG).toBe(`e2e-${env.name}-latest`);
          expect(v.PORT_REGISTRY).toBe(String(registry.port));
          const registryAddr = env.mode === 'docker' ? `127.0.0.1:${registry.port}` : 'registry:5010';
          expect(v.ESB_REGISTRY).toBe(`${registryAddr}/`);
          expect(v.REGISTRY).toBe(`${registryAddr}/`);
          expect(v.CONTAINER_REGISTRY).toBe(registryAddr);
          expect(v.HOST_REGISTRY_ADDR).toBe(`127.0.0.1:${registry.port}`);
          expect(v.CONTAINER_REGISTRY_INSECURE).toBe('1');
          expect(v.AUTH_USER).toBe('esb');
          expect(v.RUSTFS_ACCESS_KEY).toBe('esb');
          expect(v.AUTH_PASS).toMatch(/^[0-9a-f]{32}$/);
          expect(v.RUSTFS_SECRET_KEY).toMatch(/^[0-9a-f]{32}$/);
          expect(v.JWT_SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
          expect(v.X_API_KEY).toMatch(/^[0-9a-f]{64}$/);
          expect(v.NETWORK_EXTERNAL).toBe(`esb-${env.name}-external`);
          expect(v.SUBNET_EXTERNAL).toMatch(/^172\.(\d+)\.0\.0\/16$/);
          expect(v.RUNTIME_NET_SUBNET).toMatch(/^172\.(\d+)\.0\.0\/16$/);
          expect(v.RUNTIME_NODE_IP).toBe(v.RUNTIME_NET_SUBNET!.replace('.0.0/16', '.0.10'));
          expect(v.LAMBDA_NETWORK).toBe(`esb_int_${env.name}`);
          expect(v.CERT_DIR).toBe(join(tmp, 'home', '.esb', 'certs'));
          expect(v.ROOT_CA_CERT_FILENAME).toBe('rootCA.crt');
          expect(v.ROOT_CA_MOUNT_ID).toBe('esb_root_ca');
          expect(v.CONFIG_DIR).toMatch(new RegExp(`/\\.esb/\\.cache/staging/esb-${env.name}-[0-9a-f]{8}/${env.name}/config$`));
          expect(v.ESB_HOME).toBe(join(realpathSync(LEGACY), 'e2e', 'fixtures', '.esb', env.name));
          expect(v.DOCKER_BUILDKIT).toBe('1');
          expect(v.COMPOSE_DOCKER_CLI_BUILD).toBe('1');
          expect(v.BUILDX_BUILDER).toBe(`esb-buildx-${env.name}`);
          expect(v.BUILDX_CACHE_DIR).toBe(`.esb/buildx-cache/${env.name}`);
          expect(v.ESB_BUILDX_CACHE).toBe('0');
          expect(v.ESB_BUILDX_CACHE_TO).toBe('0');
          expect(v.CLI_CMD).toBe('esb');
          expect(v.ENV_PREFIX).toBe('ESB');
          // Keys of the env file pass through.
          expect(v.HEARTBEAT_INTERVAL).toBe('5');
          expect(v.GATEWAY_IDLE_TIMEOUT_SECONDS).toBe('15');
          expect(v.X_API_KEY).not.toBe('from-the-shell');
        }
        // Every phase of one env sees the same generated credentials.
        expect(find('deploy --verbose').env.AUTH_PASS).toBe(find('-m pytest').env.AUTH_PASS);
      });

      it('gives the env its port block, not the shell export, and pytest the ports compose published', () => {
        const up = find('up --detach');
        const index = env.name === 'e2e-containerd' ? 0 : 1;
        // The block moves up by whole rounds of envs when a port is busy on this machine.
        const base = Number(up.env.PORT_GATEWAY_HTTPS);
        expect((base - 33000 - index * 20) % 40).toBe(0);
        ['PORT_GATEWAY_HTTPS', 'PORT_GATEWAY_HTTP', 'PORT_AGENT_GRPC', 'PORT_AGENT_METRICS', 'PORT_VICTORIALOGS', 'PORT_DATABASE', 'PORT_S3', 'PORT_S3_MGMT'].forEach(
          (k, offset) => expect(up.env[k], k).toBe(String(base + offset)),
        );
        const py = find('-m pytest').env;
        expect(py.PORT_GATEWAY_HTTPS).toBe(String(gateway.port));
        expect(py.GATEWAY_PORT).toBe(String(gateway.port));
        expect(py.GATEWAY_URL).toBe(`https://localhost:${gateway.port}`);
        expect(py.VICTORIALOGS_PORT).toBe(String(published.victorialogs));
        expect(py.VICTORIALOGS_URL).toBe(`http://localhost:${published.victorialogs}`);
        expect(py.AGENT_METRICS_PORT).toBe(String(published.metrics));
        expect(py.AGENT_METRICS_URL).toBe(`http://localhost:${published.metrics}`);
        expect(py.AGENT_GRPC_ADDRESS).toBe(`localhost:${published.grpc}`);
        expect(py.PORT_DATABASE).toBe(String(published.database));
        expect(py.PORT_S3_MGMT).toBe(String(published.s3mgmt));
        expect(py.AUTH_ENDPOINT_PATH).toBe('/user/auth/v1');
        // Read from the running gateway container.
        expect(py.CONTAINERS_NETWORK).toBe('fake-net');
        expect(py.GATEWAY_INTERNAL_URL).toBe('https://gateway:8443');
        expect(py.AGENT_GRPC_TLS_ENABLED).toBe('1');
        // Compose and deploy never get pytest's URLs.
        expect(up.env.GATEWAY_URL).toBeUndefined();
        expect(find('deploy --verbose').env.AGENT_GRPC_ADDRESS).toBeUndefined();
        expect(find('deploy --verbose').env.ESB_META_REUSE).toBe('1');
      });
    });
  }

  it('waits for the gateway health over self-signed TLS when the gateway publishes its port', () => {
    expect(gateway.requests.filter((r) => r === '/health').length).toBeGreaterThanOrEqual(2);
  });

  it('gives the two envs distinct projects, networks, subnets and ports', () => {
    const ups = ENVS.map((e) => calls.find((c) => c.env.ENV === e.name && joined(c).includes('up --detach'))!.env);
    for (const key of ['PROJECT_NAME', 'NETWORK_EXTERNAL', 'SUBNET_EXTERNAL', 'RUNTIME_NET_SUBNET', 'PORT_GATEWAY_HTTPS', 'CONFIG_DIR', 'ESB_HOME', 'ESB_TAG']) {
      expect(ups[0]![key], key).not.toBe(ups[1]![key]);
    }
  });
});
