// The engine API client against a fake engine on a unix socket, and the choice of socket
// (or of the CLI) from the variables the docker CLI would see.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET, SocketApi, configDir, currentContext, engineSocket } from '../../src/io/docker-api';
import { fakeEngine, type FakeEngine } from '../helpers/engine';

let engine: FakeEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const P = 'com.docker.compose.project';

async function connected(state: Parameters<typeof fakeEngine>[0] = {}): Promise<SocketApi> {
  engine = await fakeEngine(state);
  const got = await SocketApi.connect(engine.socket);
  if (typeof got === 'string') throw new Error(got);
  return got;
}

describe('engineSocket', () => {
  it.each([
    ['nothing set', {}, null, null, DEFAULT_SOCKET],
    ['a unix DOCKER_HOST', { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, null, null, '/run/user/1000/docker.sock'],
    ['a tcp DOCKER_HOST', { DOCKER_HOST: 'tcp://10.0.0.2:2376' }, null, null, null],
    ['an ssh DOCKER_HOST', { DOCKER_HOST: 'ssh://ci@host-2' }, null, null, null],
    ['an empty unix DOCKER_HOST', { DOCKER_HOST: 'unix://' }, null, null, null],
    ['the env has docker_context', {}, 'remote', null, null],
    ['DOCKER_CONTEXT names a context', { DOCKER_CONTEXT: 'desktop-linux' }, null, null, null],
    ['DOCKER_CONTEXT is default', { DOCKER_CONTEXT: 'default' }, null, 'rootless', DEFAULT_SOCKET],
    ['the config has a current context', {}, null, 'rootless', null],
    ['the config current context is default', {}, null, 'default', DEFAULT_SOCKET],
  ])('%s', (_name, vars, context, current, expected) => {
    expect(engineSocket(vars, context, current)).toBe(expected);
  });
});

describe('currentContext', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads DOCKER_CONFIG/config.json first, else ~/.docker/config.json; none or unreadable is null', async () => {
    dir = mkdtempSync(join(tmpdir(), 'esb-e2e-dockercfg-'));
    mkdirSync(join(dir, 'home', '.docker'), { recursive: true });
    mkdirSync(join(dir, 'cfg'));
    writeFileSync(join(dir, 'home', '.docker', 'config.json'), JSON.stringify({ currentContext: 'from-home' }));
    writeFileSync(join(dir, 'cfg', 'config.json'), JSON.stringify({ currentContext: 'from-config' }));
    const ask = (vars: Record<string, string>) => currentContext(configDir(vars));
    expect(await ask({ HOME: join(dir, 'home') })).toBe('from-home');
    expect(await ask({ HOME: join(dir, 'home'), DOCKER_CONFIG: join(dir, 'cfg') })).toBe('from-config');
    writeFileSync(join(dir, 'cfg', 'config.json'), '{ not json');
    expect(await ask({ DOCKER_CONFIG: join(dir, 'cfg') })).toBeNull();
    writeFileSync(join(dir, 'cfg', 'config.json'), JSON.stringify({ auths: {} }));
    expect(await ask({ DOCKER_CONFIG: join(dir, 'cfg') })).toBeNull();
    expect(await ask({ HOME: join(dir, 'nowhere') })).toBeNull();
    expect(await ask({})).toBeNull();
  });
});

describe('SocketApi', () => {
  it('connects when /_ping answers OK, and says why not otherwise', async () => {
    const ok = await connected();
    expect(ok.endpoint).toBe(`unix://${engine!.socket}`);
    expect(engine!.requests).toEqual(['GET /_ping']);
    const missing = await SocketApi.connect('/nonexistent/esb-e2e/docker.sock');
    expect(missing).toMatch(/docker API \/_ping: connect ENOENT/);
    engine!.state.broken.push('/_ping');
    expect(await SocketApi.connect(engine!.socket)).toBe('docker API /_ping: HTTP 500: engine trouble');
  });

  it('gives up on a socket that accepts but never answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-mute-'));
    const socket = join(dir, 'docker.sock');
    const held: import('node:net').Socket[] = [];
    const mute = createServer((c) => held.push(c));
    await new Promise<void>((resolve) => mute.listen(socket, resolve));
    try {
      const started = Date.now();
      expect(await SocketApi.connect(socket, 200)).toBe('docker API /_ping: no answer in 0.2s');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const c of held) c.destroy();
      await new Promise((resolve) => mute.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists containers (stopped too), networks and volumes by label', async () => {
    const c = await connected({
      containers: [
        { id: 'c1', name: 'esb-a-gateway', labels: { [P]: 'esb-a' } },
        { id: 'c2', name: 'esb-a-old', labels: { [P]: 'esb-a' }, running: false },
        { id: 'c3', name: 'esb-b-gateway', labels: { [P]: 'esb-b' } },
      ],
      networks: [
        { id: 'n1', labels: { [P]: 'esb-a' } },
        { id: 'n2', labels: {} },
      ],
      volumes: [{ name: 'esb-b_data', labels: { [P]: 'esb-b' } }],
    });
    expect(await c.leftovers(`${P}=esb-a`)).toEqual({ containers: ['c1', 'c2'], networks: ['n1'], volumes: [] });
    expect(await c.leftovers(`${P}=esb-b`)).toEqual({ containers: ['c3'], networks: [], volumes: ['esb-b_data'] });
    const filter = encodeURIComponent(JSON.stringify({ label: [`${P}=esb-a`] }));
    expect(engine!.requests).toContain(`GET /containers/json?all=1&filters=${filter}`);
    expect(engine!.requests).toContain(`GET /networks?filters=${filter}`);
    expect(engine!.requests).toContain(`GET /volumes?filters=${filter}`);
  });

  it('gives the published tcp ports of running containers with their compose service', async () => {
    const c = await connected({
      containers: [
        {
          id: 'c1',
          name: 'gw',
          labels: { [P]: 'esb-a', 'com.docker.compose.service': 'gateway' },
          ports: [
            { IP: '0.0.0.0', PrivatePort: 443, PublicPort: 40219, Type: 'tcp' },
            { IP: '::', PrivatePort: 443, PublicPort: 40219, Type: 'tcp' },
            { PrivatePort: 8080, Type: 'tcp' },
            { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
          ],
        },
        { id: 'c2', name: 'db', labels: { [P]: 'esb-a', 'com.docker.compose.service': 'database' }, running: false, ports: [{ PrivatePort: 8000, PublicPort: 1, Type: 'tcp' }] },
      ],
    });
    expect(await c.publishedPorts(`${P}=esb-a`)).toEqual([
      { service: 'gateway', privatePort: 443, publicPort: 40219 },
      { service: 'gateway', privatePort: 443, publicPort: 40219 },
    ]);
    expect(engine!.requests.at(-1)).not.toContain('all=1');
  });

  it("reads a container's env; no such container is null; other errors throw", async () => {
    const c = await connected({
      containers: [{ id: 'c1', name: 'esb-a-gateway', labels: {}, env: ['CONTAINERS_NETWORK=esb_int_a', 'TOKEN=a=b', 'BARE'] }],
    });
    expect(await c.containerEnv('esb-a-gateway')).toEqual({ CONTAINERS_NETWORK: 'esb_int_a', TOKEN: 'a=b', BARE: '' });
    expect(await c.containerEnv('esb-b-gateway')).toBeNull();
    engine!.state.broken.push('/containers/esb-a-gateway/json');
    await expect(c.containerEnv('esb-a-gateway')).rejects.toThrow('docker API /containers/esb-a-gateway/json: HTTP 500: engine trouble');
  });

  it('names the containers attached to a network; no such network is null', async () => {
    const c = await connected({ networks: [{ id: 'n1', name: 'esb-a-external', labels: {}, members: ['esb-infra-registry', 'esb-a-gateway'] }] });
    expect(await c.networkMembers('esb-a-external')).toEqual(['esb-infra-registry', 'esb-a-gateway']);
    expect(await c.networkMembers('esb-b-external')).toBeNull();
  });

  it('stops asking when the signal aborts', async () => {
    const c = await connected();
    const ac = new AbortController();
    ac.abort();
    await expect(c.leftovers(`${P}=esb-a`, ac.signal)).rejects.toThrow(/cancelled/);
  });
});
