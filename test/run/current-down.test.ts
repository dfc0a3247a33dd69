// `esb-e2e down` on ESB's current layout (a temporary copy of test/fixtures/esb-head, fake
// docker): the registry it starts has no compose project name of its own, so down finds it
// by its container name and takes it down with the same compose file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runHead } from '../helpers/esb-head';
import { joined } from '../helpers/fake-project';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-down-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function down(rules: string[]) {
  const { result, calls } = await runHead(join(tmp, String(Math.random()).slice(2)), ['down'], { rules, env: { HOME: tmp } });
  return { result, calls: calls.map(joined) };
}

it('finds the registry by its container name and takes it down', async () => {
  const { result, calls } = await down(['docker|*|name=^esb-infra-registry$|print=0123abcd']);
  expect(result.code).toBe(0);
  expect(calls).toContain('docker ps --all --quiet --filter name=^esb-infra-registry$');
  expect(calls).toContain('docker compose --file docker-compose.infra.yml down --volumes --remove-orphans');
  expect(result.stdout).toContain('the registry (esb-infra-registry, docker-compose.infra.yml) taken down');
}, 30_000);

it('says the registry is not up when no such container exists, and runs no down', async () => {
  const { result, calls } = await down([]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('[infra] the registry is not up');
  expect(calls.some((c) => c.includes('docker-compose.infra.yml down'))).toBe(false);
}, 30_000);
