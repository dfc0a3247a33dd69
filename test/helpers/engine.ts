// A fake Docker engine API on a unix socket: the few read-only endpoints esb-e2e asks
// (/_ping, container, network and volume listings with label filters, container inspect),
// answered from a small in-memory state, every request recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  running?: boolean;
  ports?: Array<{ PrivatePort: number; PublicPort?: number; Type: string; IP?: string }>;
  env?: string[];
}

export interface EngineState {
  containers: FakeContainer[];
  networks: Array<{ id: string; name?: string; labels: Record<string, string>; members?: string[] }>;
  volumes: Array<{ name: string; labels: Record<string, string> }>;
  /** Paths (before `?`) answered with HTTP 500. */
  broken: string[];
}

export interface FakeEngine {
  socket: string;
  /** `unix://<socket>`, for DOCKER_HOST. */
  host: string;
  state: EngineState;
  /** Every request: method, path and query as sent. */
  requests: string[];
  close(): Promise<void>;
}

const labelled = (labels: Record<string, string>, filters: string[]) =>
  filters.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });

export async function fakeEngine(initial: Partial<EngineState> = {}): Promise<FakeEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-engine-'));
  const socket = join(dir, 'docker.sock');
  const state: EngineState = { containers: [], networks: [], volumes: [], broken: [], ...initial };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://docker');
    const labels: string[] = url.searchParams.has('filters') ? (JSON.parse(url.searchParams.get('filters')!).label ?? []) : [];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (state.broken.includes(url.pathname)) return json(500, { message: 'engine trouble' });
    if (url.pathname === '/_ping') return res.end('OK');
    if (url.pathname === '/containers/json') {
      const all = url.searchParams.get('all') === '1';
      const list = state.containers.filter((c) => (all || c.running !== false) && labelled(c.labels, labels));
      return json(200, list.map((c) => ({ Id: c.id, Names: [`/${c.name}`], Labels: c.labels, Ports: c.ports ?? [] })));
    }
    if (url.pathname === '/networks') return json(200, state.networks.filter((n) => labelled(n.labels, labels)).map((n) => ({ Id: n.id })));
    if (url.pathname === '/volumes') {
      const list = state.volumes.filter((v) => labelled(v.labels, labels)).map((v) => ({ Name: v.name }));
      return json(200, { Volumes: list.length ? list : null, Warnings: null });
    }
    const network = /^\/networks\/([^/]+)$/.exec(url.pathname);
    if (network) {
      const name = decodeURIComponent(network[1]!);
      const n = state.networks.find((x) => x.name === name || x.id === name);
      const containers = Object.fromEntries((n?.members ?? []).map((m, i) => [`id${i}`, { Name: m }]));
      return n ? json(200, { Id: n.id, Name: n.name, Containers: containers }) : json(404, { message: `network ${name} not found` });
    }
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(url.pathname);
    if (inspect) {
      const name = decodeURIComponent(inspect[1]!);
      const c = state.containers.find((x) => x.name === name || x.id === name);
      return c ? json(200, { Id: c.id, Config: { Env: c.env ?? [] } }) : json(404, { message: `No such container: ${name}` });
    }
    json(404, { message: 'page not found' });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    host: `unix://${socket}`,
    state,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
