// `run --with-proxy` on ESB's current layout (a temporary copy of test/fixtures/esb-head),
// with fake docker/python3/curl and a fake proxy that really listens: the proxy started
// with ESB's flags, probed, the Java proof run both ways, every phase given the proxy
// variables, the builder named -proxy; any failure stops the run before any env; the
// proxies are stopped at the end. The scenarios share port 18888, so they run in turn.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPortFree } from '../../src/io/port-probe';
import { headServers, runHead } from '../helpers/esb-head';
import { FAKES, REPO, isAlive, joined, readCalls, runCli, type Call, type CliResult } from '../helpers/fake-project';

const PROXY_BIN = join(REPO, 'test', 'fakes', 'proxy');
const HOST = '172.17.0.1';
const URL = `http://proxy-user:proxy-pass@${HOST}:18888`;
const servers = headServers('esb-e2e-proxy-');

interface Scenario {
  result: CliResult;
  calls: Call[];
  root: string;
  log: string;
}

let count = 0;
async function scenario(extraRules: string[], opts: { java?: boolean; args?: string[]; env?: Record<string, string> } = {}): Promise<Scenario> {
  const rules = [
    ...extraRules,
    `docker|*|network inspect bridge|print=${HOST}`,
    'docker|*|buildx_buildkit_esb-buildx-proxy0|print=host',
    'docker|*|dead.xml:/tmp/m2|exit=1',
    ...servers.upRules(),
  ];
  const java = (root: string) => {
    mkdirSync(join(root, 'e2e/fixtures/functions/java/echo'), { recursive: true });
    writeFileSync(join(root, 'e2e/fixtures/functions/java/echo/pom.xml'), '<project/>\n');
  };
  const { result, calls, root, log } = await runHead(join(servers.tmp, String(count++)), ['run', '--with-proxy', '--env', 'e2e-docker', '--no-verbose', ...(opts.args ?? [])], {
    rules,
    path: PROXY_BIN,
    env: { PORT_REGISTRY: String(servers.registry.port), NO_PROXY: 'corp.example', ...opts.env },
    ...(opts.java !== false ? { prepare: java } : {}),
  });
  return { result, calls, root, log };
}

const proxyRecord = (log: string, port: number) => JSON.parse(readFileSync(join(log, `proxy-${port}.json`), 'utf8')) as { argv: string[]; pid: number };
const upCalls = (calls: Call[]) => calls.filter((c) => / up --detach$/.test(joined(c)) && c.env.ENV === 'e2e-docker');

describe('run --with-proxy', () => {
  let ok: Scenario;
  beforeAll(async () => {
    ok = await scenario([]);
  }, 60_000);

  it('passes, and the proxy runs with ESB flags on port 18888', () => {
    expect(ok.result.stderr).toBe('');
    expect(ok.result.code, ok.result.stdout).toBe(0);
    const main = proxyRecord(ok.log, 18888);
    expect(main.argv.slice(0, 4)).toEqual(['--hostname', '0.0.0.0', '--port', '18888']);
    expect(main.argv).toContain('proxy-user:proxy-pass');
    const filtered = main.argv[main.argv.indexOf('--filtered-upstream-hosts') + 1]!;
    expect(filtered.split(',')).toEqual(expect.arrayContaining(['corp.example', 'agent', 'localhost', '::1', HOST]));
    expect(filtered).not.toContain('/16');
  });

  it('probes, then proves the Java build both ways, all before the first env command', () => {
    const lines = ok.calls.map(joined);
    const probe = lines.findIndex((l) => l === `curl --silent --show-error --fail --proxy ${URL} --max-time 3 --output /dev/null https://repo.maven.apache.org/maven2/`);
    const proofs = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('docker run --rm -v ') && l.includes('/e2e/fixtures/functions/java/echo:/src:ro'));
    const firstEnv = ok.calls.findIndex((c) => c.env.ENV === 'e2e-docker');
    expect(probe).toBeGreaterThanOrEqual(0);
    expect(proofs.map(([l]) => (l.includes('dead.xml') ? 'dead' : 'through'))).toEqual(['through', 'dead']);
    expect(proofs[0]![1]).toBeGreaterThan(probe);
    expect(proofs[1]![1]).toBeLessThan(firstEnv);
  });

  it("points the proof's maven at a second proxy on a port of its own, and stops both proxies at the end", async () => {
    const ports = readdirSync(ok.log).filter((f) => /^proxy-\d+\.json$/.test(f)).map((f) => Number(/\d+/.exec(f)![0]));
    const second = ports.find((p) => p !== 18888)!;
    expect(ports.sort()).toEqual([18888, second].sort());
    expect(proxyRecord(ok.log, second).argv.slice(2, 4)).toEqual(['--port', String(second)]);
    for (const port of ports) expect(isAlive(proxyRecord(ok.log, port).pid)).toBe(false);
    expect(await isPortFree(18888)).toBe(true);
    expect(readFileSync(join(ok.root, 'e2e', '.parallel-proxy-e2e.log'), 'utf8')).toContain('fake proxy starting on 18888');
    expect(readFileSync(join(ok.root, 'e2e', '.parallel-proxy-e2e-java-proof.log'), 'utf8')).toContain(`fake proxy starting on ${second}`);
  });

  it('gives every phase the proxy variables and names the builder -proxy', () => {
    const deploy = ok.calls.find((c) => c.env.ENV === 'e2e-docker' && joined(c).includes('tools.cli.cli deploy --artifact'))!;
    expect(deploy).toBeDefined();
    for (const key of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy']) expect(deploy.env[key]).toBe(URL);
    expect(deploy.env.E2E_WITH_PROXY).toBe('1');
    expect(deploy.env.ESB_NO_PROXY_EXTRA).toBe(HOST);
    expect(deploy.env.NO_PROXY).toMatch(new RegExp(`^corp\\.example,agent,database,.*,172\\.20\\.0\\.0/16,${HOST.replace(/\./g, '\\.')}$`));
    expect(deploy.env.no_proxy).toBe(deploy.env.NO_PROXY);
    expect(deploy.env.BUILDX_BUILDER).toBe('esb-buildx-proxy');
    const pytest = ok.calls.find((c) => c.env.ENV === 'e2e-docker' && joined(c).includes('-m pytest'))!;
    expect(pytest.env.HTTPS_PROXY).toBe(URL);
    const lines = ok.calls.map(joined);
    expect(lines).toContain('docker buildx inspect --builder esb-buildx-proxy');
    // The fake builder lacks the proxy variables: it is made again, carrying them.
    const create = lines.find((l) => l.startsWith('docker buildx create --name esb-buildx-proxy'))!;
    expect(create).toContain(`--driver-opt env.HTTPS_PROXY=${URL} --driver-opt env.HTTP_PROXY=${URL}`);
    const build = lines.find((l) => l.startsWith('docker buildx build') && l.includes('esb-e2e-image-python'))!;
    expect(build).toContain(`--build-arg HTTP_PROXY=${URL} --build-arg http_proxy=${URL}`);
    expect(build).toContain('--build-arg NO_PROXY=corp.example,');
  });
});

describe('run --with-proxy, when the proxy does not hold', () => {
  it('stops before any env when the probe fails, and stops the proxy', async () => {
    const s = await scenario(['curl|*|maven2|exit=7;stderr=curl: (7) Failed to connect']);
    expect(s.result.code).toBe(1);
    expect(s.result.stdout + s.result.stderr).toContain('the proxy does not reach https://repo.maven.apache.org/maven2/');
    expect(upCalls(s.calls)).toEqual([]);
    expect(isAlive(proxyRecord(s.log, 18888).pid)).toBe(false);
    expect(await isPortFree(18888)).toBe(true);
  }, 30_000);

  it('stops before any env when maven resolves through the dead proxy too (the proof proves nothing)', async () => {
    const s = await scenario(['docker|*|dead.xml:/tmp/m2|exit=0']);
    expect(s.result.code).toBe(1);
    expect(s.result.stdout + s.result.stderr).toContain('proves nothing');
    expect(upCalls(s.calls)).toEqual([]);
  }, 30_000);

  it('stops before any env when the Java function to prove with is missing', async () => {
    const s = await scenario([], { java: false });
    expect(s.result.code).toBe(1);
    expect(s.result.stdout + s.result.stderr).toContain('e2e/fixtures/functions/java/echo, which is not there');
    expect(upCalls(s.calls)).toEqual([]);
  }, 30_000);

  it('stops before any env when the proxy ends without listening, pointing at its log', async () => {
    const s = await scenario([], { env: { FAKE_PROXY_EXIT: '1' } });
    expect(s.result.code).toBe(1);
    expect(s.result.stdout + s.result.stderr).toContain('the proxy on port 18888 did not start');
    const logged = readFileSync(join(s.root, 'e2e', '.parallel-proxy-e2e.log'), 'utf8');
    expect(logged).toContain('fake proxy: refusing to start');
    expect(upCalls(s.calls)).toEqual([]);
  }, 30_000);

  it('stops before any env when port 18888 is taken, naming the port', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(18888, '0.0.0.0', r));
    try {
      const s = await scenario([]);
      expect(s.result.code).toBe(1);
      expect(s.result.stdout + s.result.stderr).toContain('port 18888 is taken');
      expect(existsSync(join(s.log, 'proxy-18888.json'))).toBe(false);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 30_000);

  it('is a usage error on the legacy layout: exit 2, nothing run', async () => {
    const root = join(servers.tmp, 'legacy');
    cpSync(resolve(REPO, 'test', 'fixtures', 'esb-legacy'), root, { recursive: true });
    const log = join(servers.tmp, 'legacy-calls');
    const result = await runCli(['run', '--with-proxy'], { cwd: root, env: { PATH: `${PROXY_BIN}:${FAKES}:${process.env.PATH}`, FAKE_LOG: log, HOME: servers.tmp } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--with-proxy: only ESB's current layout runs behind the proxy");
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readCalls(log)).toEqual([]);
  }, 30_000);
});
