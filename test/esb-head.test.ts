// ESB's current layout (test/fixtures/esb-head), copied unchanged to a temporary folder and
// run with fake docker / python3 (the ctl wrapper runs `python3 -m tools.cli.cli`): before
// any env, and phase by phase, the command lines and variables its ENV-CONTRACT.md lists.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joined, type Call, type CliResult } from './helpers/fake-project';
import { runHead } from './helpers/esb-head';
import { httpServer, httpsServer, type TestServer } from './helpers/servers';

const SHIM = '127.0.0.1:5010/esb-maven-shim:9c5a2f9c331e15b0';
const ENVS = [
  { name: 'e2e-docker', mode: 'docker', index: 1, subnet: 146, runtime: 186, image: '127.0.0.1:5010/esb-e2e-image-python:latest', kind: 'python' },
  { name: 'e2e-containerd', mode: 'containerd', index: 0, subnet: 70, runtime: null, image: '127.0.0.1:5010/esb-e2e-image-java:latest', kind: 'java' },
] as const;
const GATEWAY_ENV = ['AUTH_USER=gw-user', 'AUTH_PASS=gw-pass-0123456', 'X_API_KEY=gw-key-0123456', 'RUSTFS_ACCESS_KEY=gw-ak', 'RUSTFS_SECRET_KEY=gw-sk-0123456', 'AGENT_GRPC_TLS_ENABLED=1', 'VERIFY_SSL=false', 'AUTH_ENDPOINT_PATH=/auth/v9', 'CONTAINERS_NETWORK=net-x'];

let tmp: string;
let root: string;
let registry: TestServer;
let gateway: TestServer;
let result: CliResult;
let calls: Call[];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-head-'));
  registry = await httpServer();
  gateway = await httpsServer();
  const ps = (e: (typeof ENVS)[number]) =>
    e.mode === 'docker'
      ? `gateway\\t0.0.0.0:${gateway.port}->8443/tcp\\nagent\\t0.0.0.0:41091->9091/tcp`
      : `runtime-node\\t0.0.0.0:${gateway.port}->8443/tcp, 0.0.0.0:41051->50051/tcp, 0.0.0.0:41092->9091/tcp`;
  const rules = [
    'docker|*|buildx_buildkit_esb-buildx0|print=host',
    'docker|*|{{.State.Running}} esb-infra-registry|exit=1',
    `docker|*|image inspect ${SHIM}|exit=1`,
    ...ENVS.map((e) => `docker|${e.name}|ps -q --filter|print=gw-${e.name}`),
    ...ENVS.map((e) => `docker|${e.name}|ps --filter|print=${ps(e)}`),
    `docker|*|{{range .Config.Env}}{{println .}}{{end}} gw-|print=${GATEWAY_ENV.join('\\n')}`,
  ];
  const run = await runHead(tmp, ['run', '--cleanup'], {
    rules,
    env: {
      PORT_REGISTRY: String(registry.port),
      // A CI shell's exports must not pin ports or credentials.
      PORT_GATEWAY_HTTPS: '9999',
      X_API_KEY: 'from-the-shell',
    },
  });
  ({ result, calls, root } = run);
}, 60_000);

afterAll(async () => {
  await registry.close();
  await gateway.close();
  rmSync(tmp, { recursive: true, force: true });
});

const wrapper = () => join(root, '.e2e', 'bin', 'esb-ctl');
/** The commands in this order among `lines` (others may come between). */
function inOrder(lines: readonly string[], order: readonly string[]): void {
  let at = -1;
  for (const step of order) {
    const next = lines.findIndex((l, i) => i > at && l.startsWith(step));
    expect(next, `${step}\n--- in ---\n${lines.join('\n')}`).toBeGreaterThan(at);
    at = next;
  }
}

describe("ESB's current layout, run with fakes", () => {
  it('passes', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('before any env: the ctl checked through its wrapper, the builder warmed up, the registry asked before compose starts it', () => {
    const firstEnv = calls.findIndex((c) => c.env.ENV === 'e2e-docker' || c.env.ENV === 'e2e-containerd');
    const before = calls.slice(0, firstEnv).map(joined);
    inOrder(before, [
      'python3 -m tools.cli.cli deploy --help',
      'python3 -m tools.cli.cli provision --help',
      'docker buildx inspect --builder esb-buildx',
      'docker inspect -f {{.HostConfig.NetworkMode}} buildx_buildkit_esb-buildx0',
      'docker inspect -f {{range .Config.Env}}{{println .}}{{end}} buildx_buildkit_esb-buildx0',
      'docker buildx use esb-buildx',
      'docker inspect --format {{.State.Running}} esb-infra-registry',
      'docker compose --file docker-compose.infra.yml ps --services --filter status=running',
      'docker compose --file docker-compose.infra.yml up --detach registry',
    ]);
    const up = calls.find((c) => joined(c).endsWith('up --detach registry'))!;
    expect(up.env.REGISTRY_CONTAINER_NAME).toBe('esb-infra-registry');
    const check = calls.find((c) => joined(c) === 'python3 -m tools.cli.cli deploy --help')!;
    // The wrapper runs the ctl from the project root; every later command knows which ctl it is.
    expect(check.cwd).toBe(root);
    expect(check.env.CTL_BIN_RESOLVED).toBe(wrapper());
    expect(registry.requests).toContain('/v2/');
  });

  it('writes the ctl wrapper: bash, cd to the root, python -m tools.cli.cli, mode 755', () => {
    expect(readFileSync(wrapper(), 'utf8')).toBe(`#!/usr/bin/env bash\nset -euo pipefail\ncd ${root}\nexec python3 -m tools.cli.cli "$@"\n`);
    expect(statSync(wrapper()).mode & 0o777).toBe(0o755);
  });

  for (const env of ENVS) {
    describe(env.name, () => {
      const mine = () => calls.filter((c) => c.env.ENV === env.name);
      const find = (needle: string) => {
        const found = mine().find((c) => joined(c).includes(needle));
        expect(found, needle).toBeDefined();
        return found!;
      };
      const dir = `e2e/environments/${env.name}`;
      const compose = `docker compose --project-name esb-${env.name} --file ${dir}/docker-compose.yml --env-file ${dir}/.env`;

      it('runs the contract commands in order', () => {
        const fixture =
          env.kind === 'java'
            ? [
                `docker image inspect ${SHIM}`,
                `docker buildx build --platform linux/amd64 --load --pull --build-arg BASE_MAVEN_IMAGE=public.ecr.aws/sam/build-java21@sha256:5f78d6d9124e54e5a7a9941ef179d74d88b7a5b117526ea8574137e5403b51b7 --tag ${SHIM} --file ${root}/tools/cli/assets/mavenshim/Dockerfile ${root}/tools/cli/assets/mavenshim`,
                `docker push ${SHIM}`,
                `docker buildx build --platform linux/amd64 --load --build-arg MAVEN_IMAGE=${SHIM} --tag ${env.image} ${root}/e2e/fixtures/images/lambda/java`,
              ]
            : [`docker buildx build --platform linux/amd64 --load --tag ${env.image} ${root}/e2e/fixtures/images/lambda/python`];
        inOrder(mine().map(joined), [
          `${compose} down --volumes --remove-orphans`,
          `${compose} up --detach`,
          `docker network connect --alias registry esb-${env.name}-external esb-infra-registry`,
          `docker ps --filter label=com.docker.compose.project=esb-${env.name} --format`,
          `docker ps -q --filter label=com.docker.compose.project=esb-${env.name} --filter label=com.docker.compose.service=gateway`,
          `docker inspect --format {{range .Config.Env}}{{println .}}{{end}} gw-${env.name}`,
          ...fixture,
          `docker push ${env.image}`,
          `python3 -m tools.cli.cli deploy --artifact e2e/artifacts/${env.name}/artifact.yml`,
          `python3 -m tools.cli.cli provision --project esb-${env.name} --compose-file ${dir}/docker-compose.yml --env-file ${dir}/.env`,
          `python3 -m pytest --compose-file ${dir}/docker-compose.yml --import-mode=importlib e2e/scenarios/smoke/test_connectivity.py`,
          // --cleanup: down, keeping the volumes, as ESB's current runner does.
          `${compose} down`,
        ]);
        expect(mine().map(joined)).not.toContain(`${compose} up --detach --build`);
        expect(mine().filter((c) => joined(c) === `${compose} down`)).toHaveLength(1);
      });

      it('hands every phase the runtime env of the contract', () => {
        for (const c of [find('up --detach'), find('buildx build'), find('cli.cli deploy'), find('cli.cli provision'), find('-m pytest')]) {
          const v = c.env;
          expect(v).toMatchObject({
            ENV: env.name,
            ESB_ENV: env.name,
            MODE: env.mode,
            ESB_MODE: env.mode,
            ESB_PROJECT: 'esb',
            PROJECT_NAME: `esb-${env.name}`,
            ESB_TAG: `e2e-${env.name}-latest`,
            ESB_INTERACTIVE: '0',
            ESB_HOME: join(root, '.esb', 'e2e', 'state', env.name),
            ESB_REGISTRY: env.mode === 'docker' ? `127.0.0.1:${registry.port}/` : 'registry:5010/',
            HOST_REGISTRY_ADDR: `127.0.0.1:${registry.port}`,
            CONTAINER_REGISTRY: env.mode === 'docker' ? `127.0.0.1:${registry.port}` : 'registry:5010',
            REGISTRY: env.mode === 'docker' ? `127.0.0.1:${registry.port}/` : 'registry:5010/',
            CONTAINER_REGISTRY_INSECURE: '1',
            PORT_REGISTRY: '5010',
            NETWORK_EXTERNAL: `esb-${env.name}-external`,
            SUBNET_EXTERNAL: `172.${env.subnet}.0.0/16`,
            LAMBDA_NETWORK: `esb_int_${env.name}`,
            ENV_PREFIX: 'ESB',
            ROOT_CA_MOUNT_ID: 'esb_root_ca',
            ROOT_CA_CERT_FILENAME: 'rootCA.crt',
            CERT_DIR: join(root, '.esb', 'certs'),
            BUILDKITD_CONFIG: join(root, '.esb', 'buildkitd.toml'),
            DOCKER_BUILDKIT: '1',
            COMPOSE_DOCKER_CLI_BUILD: '1',
            BUILDX_BUILDER: 'esb-buildx',
            ESB_SKIP_GATEWAY_ALIGN: '1',
            CTL_BIN_RESOLVED: wrapper(),
            // Keys of the env file pass through.
            LOG_LEVEL: 'DEBUG',
            E2E_IMAGE_EXPECTED_LOGGER: env.kind === 'java' ? 'cloudwatch.logs.java' : 'cloudwatch.logs.python',
          });
          if (env.runtime) expect(v).toMatchObject({ RUNTIME_NET_SUBNET: `172.${env.runtime}.0.0/16`, RUNTIME_NODE_IP: `172.${env.runtime}.0.10` });
          else expect(v.RUNTIME_NET_SUBNET ?? v.RUNTIME_NODE_IP).toBeUndefined();
          for (const gone of ['E2E_COMPOSE_FILE', 'CONFIG_DIR', 'CLI_CMD', 'BUILDX_CACHE_DIR', 'ESB_BUILDX_CACHE', 'ESB_BUILDX_CACHE_TO', 'COMPOSE_PROJECT_NAME']) expect(v[gone], gone).toBeUndefined();
          expect(v.X_API_KEY).not.toBe('from-the-shell');
        }
        const base = 18000 + env.index * 20;
        const up = find('up --detach').env;
        ['PORT_GATEWAY_HTTPS', 'PORT_GATEWAY_HTTP', 'PORT_AGENT_GRPC', 'PORT_AGENT_METRICS', 'PORT_VICTORIALOGS', 'PORT_DATABASE', 'PORT_S3', 'PORT_S3_MGMT'].forEach((k, offset) =>
          expect((Number(up[k]) - base - offset) % 40, k).toBe(0),
        );
      });

      it('fixture images, deploy and provision get ESB_META_REUSE=1; compose does not', () => {
        for (const needle of ['buildx build', 'docker push', 'cli.cli deploy', 'cli.cli provision']) expect(find(needle).env.ESB_META_REUSE, needle).toBe('1');
        expect(find('up --detach').env.ESB_META_REUSE).toBeUndefined();
        expect(find('cli.cli deploy').cwd).toBe(root);
      });

      it("pytest gets the URLs, the gateway container's credentials and keys, and TLS files on this host", () => {
        const py = find('-m pytest').env;
        expect(py).toMatchObject({
          GATEWAY_PORT: String(gateway.port),
          GATEWAY_URL: `https://localhost:${gateway.port}`,
          AUTH_USER: 'gw-user',
          AUTH_PASS: 'gw-pass-0123456',
          X_API_KEY: 'gw-key-0123456',
          RUSTFS_ACCESS_KEY: 'gw-ak',
          RUSTFS_SECRET_KEY: 'gw-sk-0123456',
          AUTH_ENDPOINT_PATH: '/auth/v9',
          VERIFY_SSL: 'false',
          CONTAINERS_NETWORK: 'net-x',
          AGENT_GRPC_TLS_ENABLED: '1',
          AGENT_GRPC_TLS_CA_CERT_PATH: join(root, '.esb', 'certs', 'rootCA.crt'),
          AGENT_GRPC_TLS_CERT_PATH: join(root, '.esb', 'certs', 'client.crt'),
          AGENT_GRPC_TLS_KEY_PATH: join(root, '.esb', 'certs', 'client.key'),
        });
        // The gRPC address only when compose published the agent's port (docker mode publishes 9091 only).
        if (env.mode === 'docker') expect(py.AGENT_GRPC_ADDRESS).toBeUndefined();
        else expect(py.AGENT_GRPC_ADDRESS).toBe('localhost:41051');
        expect(find('cli.cli deploy').env.GATEWAY_URL).toBeUndefined();
      });
    });
  }

  it('builds and pushes the maven shim once for the run', () => {
    expect(calls.filter((c) => joined(c).startsWith('docker buildx build') && joined(c).includes(`--tag ${SHIM}`))).toHaveLength(1);
  });

  it('keeps each env credentials in its state dir for a later run', () => {
    const saved = readFileSync(join(root, '.esb', 'e2e', 'state', 'e2e-docker', 'config', '.env'), 'utf8');
    const up = calls.find((c) => c.env.ENV === 'e2e-docker' && joined(c).includes('up --detach'))!;
    expect(saved).toContain(`AUTH_PASS=${up.env.AUTH_PASS}\n`);
    expect(statSync(join(root, '.esb', 'e2e', 'state', 'e2e-docker', 'config', '.env')).mode & 0o777).toBe(0o600);
  });
});
