// The buildx warm-up before any env of ESB's current layout, on a temporary copy of
// test/fixtures/esb-head with fakes: a builder that cannot be made stops the run before
// any env; a machine without the buildx plugin gets a note and the envs run (a ctl that
// builds with plain docker needs no builder).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { headServers, runHead } from '../helpers/esb-head';
import { joined } from '../helpers/fake-project';

const servers = headServers('esb-e2e-buildx-');

async function run(name: string, rules: string[]) {
  const { result, calls } = await runHead(join(servers.tmp, name), ['run', '--env', 'e2e-docker', '--no-verbose'], {
    env: { PORT_REGISTRY: String(servers.registry.port) },
    rules: [...rules, ...servers.upRules()],
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
