// The runner's read-only questions (leftovers by label, published ports, the gateway's
// env) go to the engine's socket when it answers, and to the docker CLI otherwise: the
// real CLI with fake tools and a fake engine on a unix socket.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEngine, type FakeEngine } from '../helpers/engine';
import { makeProject, runCli, type Call, type Project } from '../helpers/fake-project';

let project: Project | undefined;
let engine: FakeEngine | undefined;
afterEach(async () => {
  project?.cleanup();
  project = undefined;
  await engine?.close();
  engine = undefined;
});

const P = 'com.docker.compose.project';
const argvOf = (c: Call) => `${c.tool} ${c.argv.join(' ')}`;
const alphaCalls = (p: Project) => p.calls().filter((c) => c.env.ENV === 'alpha' && !c.argv.includes('version'));
const COMPOSE = 'docker compose --project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env';

/** An engine where alpha has a running gateway and something left from an earlier run. */
async function alphaEngine(): Promise<FakeEngine> {
  return fakeEngine({
    containers: [
      {
        id: 'gw1',
        name: 'esb-alpha-gateway',
        labels: { [P]: 'esb-alpha', 'com.docker.compose.service': 'gateway' },
        ports: [{ IP: '0.0.0.0', PrivatePort: 8443, PublicPort: 40219, Type: 'tcp' }],
        env: ['CONTAINERS_NETWORK=esb_int_alpha', 'GATEWAY_INTERNAL_URL=https://gateway:443', 'UNRELATED=1'],
      },
      { id: 'old1', name: 'esb-alpha-old-1', labels: { [P]: 'esb-alpha' }, running: false },
      { id: 'other', name: 'esb-beta-gateway', labels: { [P]: 'esb-beta' } },
    ],
    networks: [{ id: 'net1', labels: { [P]: 'esb-alpha' } }],
    volumes: [{ name: 'esb-alpha_data', labels: { [P]: 'esb-alpha' } }],
  });
}

describe('with an engine on a unix socket', () => {
  it('asks it for leftovers, published ports and the gateway env; only removals and the real steps are processes', async () => {
    engine = await alphaEngine();
    project = makeProject({ envs: ['alpha'], envExtra: 'wait: []' });
    const r = await runCli(['run'], { cwd: project.root, env: project.env({ DOCKER_HOST: engine.host, ESB_E2E_DOCKER_API: '1' }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const calls = alphaCalls(project);
    expect(calls.map(argvOf)).toEqual([
      `${COMPOSE} down --volumes --remove-orphans`,
      'docker rm --force --volumes gw1 old1',
      'docker network rm net1',
      'docker volume rm --force esb-alpha_data',
      `${COMPOSE} up --detach`,
      'esb --env-file envs/alpha/.env --template template.yaml deploy --verbose --no-save-defaults --env alpha --mode docker',
      'python3 -m pytest tests -v --junitxml e2e/.junit-alpha.xml',
    ]);
    const py = calls.at(-1)!.env;
    expect(py.PORT_GATEWAY_HTTPS).toBe('40219');
    expect(py.GATEWAY_URL).toBe('https://localhost:40219');
    expect(py.CONTAINERS_NETWORK).toBe('esb_int_alpha');
    expect(py.GATEWAY_INTERNAL_URL).toBe('https://gateway:443');
    expect(py.UNRELATED).toBeUndefined();

    const filter = encodeURIComponent(JSON.stringify({ label: [`${P}=esb-alpha`] }));
    expect(engine.requests.filter((q) => q === 'GET /_ping')).toHaveLength(1);
    // Asked while down ran, and again after it: something was there.
    expect(engine.requests.filter((q) => q === `GET /containers/json?all=1&filters=${filter}`)).toHaveLength(2);
    expect(engine.requests).toContain(`GET /containers/json?filters=${filter}`);
    expect(engine.requests).toContain('GET /containers/esb-alpha-gateway/json');

    const log = readFileSync(`${project.logDir}/.parallel-alpha.log`, 'utf8');
    expect(log).toContain(`# left with ${P}=esb-alpha (${engine.host}): containers 2, networks 1, volumes 1`);
    expect(log).toContain('# published ports: PORT_GATEWAY_HTTPS=40219');
    expect(log).toContain(`# env of esb-alpha-gateway (${engine.host}): 3 variables`);
  });

  it('asks about leftovers only while down runs when nothing carries the project label', async () => {
    engine = await fakeEngine({ networks: [{ id: 'other', labels: { [P]: 'esb-beta' } }] });
    project = makeProject({ envs: ['alpha'], envExtra: 'wait: []' });
    const r = await runCli(['run'], { cwd: project.root, env: project.env({ DOCKER_HOST: engine.host, ESB_E2E_DOCKER_API: '1' }) });
    expect(r.code).toBe(0);
    const listings = engine.requests.filter((q) => /^GET \/(containers\/json\?all=1|networks|volumes)/.test(q));
    expect(listings).toHaveLength(3);
    expect(alphaCalls(project).map(argvOf).filter((l) => / rm /.test(l))).toEqual([]);
    const log = readFileSync(`${project.logDir}/.parallel-alpha.log`, 'utf8');
    expect(log).toContain(`# left with ${P}=esb-alpha (${engine.host}): nothing`);
  });

  it('asks the docker CLI for what the engine fails to answer, and says so in the log', async () => {
    engine = await alphaEngine();
    engine.state.broken.push('/volumes', '/containers/esb-alpha-gateway/json');
    project = makeProject({ envs: ['alpha'], envExtra: 'wait: []' });
    const r = await runCli(['run'], { cwd: project.root, env: project.env({ DOCKER_HOST: engine.host, ESB_E2E_DOCKER_API: '1' }) });
    expect(r.code).toBe(0);
    const lines = alphaCalls(project).map(argvOf);
    // Leftovers come as one answer: one failed listing sends all three kinds to the CLI.
    expect(lines.slice(1, 4)).toEqual([
      `docker ps --all --quiet --filter label=${P}=esb-alpha`,
      `docker network ls --quiet --filter label=${P}=esb-alpha`,
      `docker volume ls --quiet --filter label=${P}=esb-alpha`,
    ]);
    expect(lines.some((l) => l.startsWith('docker ps --filter'))).toBe(false);
    expect(lines).toContain('docker inspect --format {{json .Config.Env}} esb-alpha-gateway');
    const log = readFileSync(`${project.logDir}/.parallel-alpha.log`, 'utf8');
    expect(log).toContain('# docker API /volumes: HTTP 500: engine trouble: asking the docker CLI instead');
    expect(log).toContain('# docker API /containers/esb-alpha-gateway/json: HTTP 500: engine trouble: asking the docker CLI instead');
  });
});

describe('without an engine to ask', () => {
  it('uses the docker CLI when the socket does not answer, and logs why', async () => {
    project = makeProject({ envs: ['alpha'] });
    const host = `unix://${project.root}/no-such.sock`;
    const r = await runCli(['run'], { cwd: project.root, env: project.env({ DOCKER_HOST: host, ESB_E2E_DOCKER_API: '1' }) });
    expect(r.code).toBe(0);
    const lines = alphaCalls(project).map(argvOf);
    expect(lines).toContain(`docker ps --all --quiet --filter label=${P}=esb-alpha`);
    expect(lines).toContain('docker inspect --format {{json .Config.Env}} esb-alpha-gateway');
    const log = readFileSync(`${project.logDir}/.parallel-alpha.log`, 'utf8');
    expect(log).toMatch(new RegExp(`# docker engine API at ${host}: docker API /_ping: connect ENOENT .*; asking the docker CLI`));
  });

  it('never asks it with ESB_E2E_DOCKER_API=0 or for an env with docker_context', async () => {
    engine = await alphaEngine();
    project = makeProject({ envs: ['alpha', 'beta'], envExtra: 'wait: []' });
    // beta runs through a context: only the CLI knows where that engine is.
    const matrix = readFileSync(`${project.root}/e2e-matrix.yaml`, 'utf8').replace('  - env: beta\n', '  - env: beta\n    docker_context: elsewhere\n');
    writeFileSync(`${project.root}/e2e-matrix.yaml`, matrix);
    const off = await runCli(['run', '--env', 'alpha'], { cwd: project.root, env: project.env({ DOCKER_HOST: engine.host, ESB_E2E_DOCKER_API: '0' }) });
    expect(off.code).toBe(0);
    expect(engine.requests).toEqual([]);
    const ctx = await runCli(['run', '--env', 'beta'], { cwd: project.root, env: project.env({ DOCKER_HOST: engine.host, ESB_E2E_DOCKER_API: '1' }) });
    expect(ctx.code).toBe(0);
    expect(engine.requests).toEqual([]);
    const beta = project.calls().filter((c) => c.env.ENV === 'beta').map(argvOf);
    expect(beta).toContain(`docker --context elsewhere ps --all --quiet --filter label=${P}=esb-beta`);
  });

  it('refuses a value of ESB_E2E_DOCKER_API it does not know, before anything runs', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run'], { cwd: project.root, env: project.env({ ESB_E2E_DOCKER_API: 'maybe' }) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('esb-e2e: environment ESB_E2E_DOCKER_API="maybe": expected 1 (ask a local engine over its socket, the default) or 0 (always the docker CLI)');
    expect(project.calls()).toEqual([]);
  });
});
