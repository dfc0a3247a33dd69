// The buildx warm-up before any env of ESB's current layout, on a temporary copy of
// test/fixtures/esb-head with fakes: a builder that cannot be made stops the run before
// any env; a machine without the buildx plugin gets a note and the envs run (a ctl that
// builds with plain docker needs no builder).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { joined, runHead } from '../helpers/esb-head';
import { httpServer, httpsServer, type TestServer } from '../helpers/servers';

const GATEWAY_ENV = ['AUTH_USER=u', 'AUTH_PASS=p-0123456789', 'X_API_KEY=k-0123456789', 'RUSTFS_ACCESS_KEY=a', 'RUSTFS_SECRET_KEY=s-0123456789'];
let tmp: string;
let registry: TestServer;
let gateway: TestServer;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-buildx-'));
  registry = await httpServer();
  gateway = await httpsServer();
});

afterAll(async () => {
  await registry.close();
  await gateway.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function run(name: string, rules: string[]) {
  const { result, calls } = await runHead(join(tmp, name), ['run', '--env', 'e2e-docker', '--no-verbose'], {
    env: { PORT_REGISTRY: String(registry.port) },
    rules: [
      ...rules,
      'docker|*|{{.State.Running}} esb-infra-registry|print=true',
      'docker|e2e-docker|ps -q --filter|print=gw-1',
      `docker|e2e-docker|ps --filter|print=gateway\\t0.0.0.0:${gateway.port}->8443/tcp`,
      `docker|*|{{range .Config.Env}}{{println .}}{{end}} gw-|print=${GATEWAY_ENV.join('\\n')}`,
    ],
  });
  return { result, calls: calls.map(joined) };
}

it('without the buildx plugin: a note, no builder, and the envs run', async () => {
  const { result, calls } = await run('missing', ['docker|*|buildx|exit=125;stderr=unknown command']);
  expect(result.stdout).toContain('docker buildx is not installed');
  expect(calls).toContain('docker buildx version');
  expect(calls.some((c) => / up --detach$/.test(c))).toBe(true);
  // The env's own fixture build uses buildx and fails there, with its reason.
  expect(calls.some((c) => c.startsWith('docker buildx build'))).toBe(true);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/\[e2e-docker\] failed/);
}, 30_000);

it('a builder that cannot be made while buildx is there stops the run before any env (exit 1)', async () => {
  const { result, calls } = await run('broken', ['docker|*|buildx inspect|exit=1', 'docker|*|buildx create|exit=1;stderr=ERROR: no space left']);
  expect(result.code).toBe(1);
  expect(result.stdout + result.stderr).toContain('buildx builder esb-buildx: create:');
  expect(calls.some((c) => / up --detach$/.test(c))).toBe(false);
  expect(calls.some((c) => c.includes('deploy --artifact'))).toBe(false);
}, 30_000);
