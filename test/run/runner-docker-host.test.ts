// Per-env Docker engines (matrix `docker_host` / `docker_context`), through the real CLI
// with fakes: that env's docker and compose command lines carry `--context`, its commands
// get DOCKER_HOST, and no other env is touched. `plan` shows both. (A run against a real
// second dockerd belongs to the Docker suite.)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeProject, runCli, type Call, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** alpha: another context; beta: another host; gamma: the default engine. */
function remoteProject(): Project {
  const p = makeProject({ envs: ['alpha', 'beta', 'gamma'] });
  const file = join(p.root, 'e2e-matrix.yaml');
  const text = readFileSync(file, 'utf8')
    .replace('  - env: alpha\n', '  - env: alpha\n    docker_context: ctx-remote\n')
    .replace('  - env: beta\n', '  - env: beta\n    docker_host: tcp://10.9.8.7:2376\n');
  writeFileSync(file, text);
  return p;
}

const argvOf = (c: Call) => c.argv.join(' ');
const ofEnv = (calls: Call[], env: string) => calls.filter((c) => c.env.ENV === env);

it('docker and compose commands of a docker_context env carry --context; DOCKER_HOST reaches only the docker_host env', async () => {
  project = remoteProject();
  const r = await runCli(['run', '--no-verbose'], { cwd: project.root, env: project.env() });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const calls = project.calls();

  const alpha = ofEnv(calls, 'alpha').filter((c) => c.tool === 'docker');
  expect(alpha.length).toBeGreaterThan(5);
  for (const c of alpha) expect(c.argv.slice(0, 2)).toEqual(['--context', 'ctx-remote']);
  expect(alpha.map(argvOf)).toContain(
    '--context ctx-remote compose --project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env up --detach',
  );
  expect(alpha.map(argvOf)).toContain('--context ctx-remote ps --all --quiet --filter label=com.docker.compose.project=esb-alpha');

  for (const env of ['beta', 'gamma']) {
    const mine = ofEnv(calls, env);
    expect(mine.length).toBeGreaterThan(5);
    for (const c of mine) expect(c.argv).not.toContain('--context');
  }

  const beta = ofEnv(calls, 'beta');
  for (const c of beta) expect(c.env.DOCKER_HOST).toBe('tcp://10.9.8.7:2376');
  expect(new Set(beta.map((c) => c.tool))).toEqual(new Set(['docker', 'esb', 'python3']));
  for (const env of ['alpha', 'gamma']) for (const c of ofEnv(calls, env)) expect(c.env.DOCKER_HOST).toBeUndefined();
  // The one-time compose detection talks to the default engine.
  const probe = calls.find((c) => argvOf(c) === 'compose version')!;
  expect(probe.env.DOCKER_HOST).toBeUndefined();
});

it('docker-compose (v1) gets --context as its own option', async () => {
  project = remoteProject();
  const r = await runCli(['run', '--no-verbose', '--env', 'alpha'], { cwd: project.root, env: project.env({ FAKE_NO_COMPOSE_V2: '1' }) });
  expect(r.code).toBe(0);
  const up = project.calls().find((c) => c.tool === 'docker-compose' && argvOf(c).endsWith('up --detach'))!;
  expect(argvOf(up)).toBe('--context ctx-remote --project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env up --detach');
});

it('plan shows each env engine, in the table and in --json', async () => {
  project = remoteProject();
  const table = await runCli(['plan'], { cwd: project.root, env: project.env() });
  expect(table.code).toBe(0);
  const detailsOf = (env: string) => table.stdout.split('\n\n').find((block) => block.startsWith(`${env}\n`)) ?? '';
  expect(detailsOf('alpha')).toContain('\n  docker   context ctx-remote');
  expect(detailsOf('beta')).toContain('\n  docker   host tcp://10.9.8.7:2376');
  expect(detailsOf('gamma')).not.toContain('docker ');
  expect(detailsOf('gamma')).toContain('  log      e2e/.parallel-gamma.log');
  const json = await runCli(['plan', '--json'], { cwd: project.root, env: project.env() });
  const envs = (JSON.parse(json.stdout) as { envs: Array<{ name: string; dockerHost: string | null; dockerContext: string | null; env: Record<string, string> }> }).envs;
  expect(envs.map((e) => [e.name, e.dockerHost, e.dockerContext])).toEqual([
    ['alpha', null, 'ctx-remote'],
    ['beta', 'tcp://10.9.8.7:2376', null],
    ['gamma', null, null],
  ]);
  expect(envs[1]!.env.DOCKER_HOST).toBe('tcp://10.9.8.7:2376');
  expect(envs[0]!.env.DOCKER_HOST).toBeUndefined();
});
