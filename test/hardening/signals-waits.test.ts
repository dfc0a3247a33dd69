// SIGHUP (a closed terminal, a dropped SSH session) is handled like SIGTERM, and every wait
// before the envs start is bounded by the setting a user would reach for: the compose
// phase's timeout for the compose flavour's detection, ready_timeout for the registry.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { isAlive, makeProject, runCli, until, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

it('SIGHUP: running tools killed, envs taken down, logs closed, the report written, exit 129', async () => {
  project = makeProject({ envs: ['alpha'] });
  const env = project.env({ FAKE_RULES: 'python3|alpha|pytest|pidfile;sleep=30' });
  const pidFile = join(project.fakeLog, 'pid-python3-alpha');
  let cli: import('node:child_process').ChildProcess | undefined;
  const running = runCli(['run', '--no-verbose', '--report', 'report.json'], { cwd: project.root, env, onStart: (c) => (cli = c) });
  // The fake creates the file, then writes its pid: wait for the whole line, not the file.
  const pid = () => (existsSync(pidFile) ? /^(\d+)\n$/.exec(readFileSync(pidFile, 'utf8'))?.[1] : undefined);
  await until(() => pid() !== undefined, 15_000);
  const pytest = Number(pid());
  cli!.kill('SIGHUP');
  const r = await running;
  expect(r.code).toBe(129);
  expect(r.stderr).toContain('esb-e2e: SIGHUP: stopping');
  expect(isAlive(pytest)).toBe(false);
  const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
  expect(log).toMatch(/<== cleanup passed/);
  expect(log).toMatch(/# env alpha cancelled/);
  expect(JSON.parse(readFileSync(join(project.root, 'report.json'), 'utf8'))).toMatchObject({ signal: 'SIGHUP', status: 'cancelled' });
  expect(existsSync(join(project.logDir, '.esb-e2e.lock'))).toBe(false);
});

it('a `docker compose version` that hangs is bounded by --timeout compose and named', async () => {
  project = makeProject({ envs: ['alpha'] });
  const started = Date.now();
  const r = await runCli(['run', '--timeout', 'compose=1'], { cwd: project.root, env: project.env({ FAKE_RULES: 'docker|*|compose version|sleep=30' }) });
  expect(r.code).toBe(1);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(r.stdout).toContain("docker compose: `docker compose version` did not answer: timed out after 1s (the compose phase's timeout; --timeout compose=<seconds>)");
});

it("the registry's start that hangs is bounded by its ready_timeout and named", async () => {
  project = makeProject({ envs: ['alpha'], matrixExtra: 'infra:\n  compose_file: infra.yml\n  ready_timeout: 1' });
  writeFileSync(join(project.root, 'infra.yml'), 'services: {}\n');
  const started = Date.now();
  const r = await runCli(['run'], { cwd: project.root, env: project.env({ FAKE_RULES: 'docker|*|esb-infra|sleep=30' }) });
  expect(r.code).toBe(1);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(r.stdout).toContain('registry: compose up did not finish within infra.ready_timeout (1s)');
});
