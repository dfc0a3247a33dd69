// What a run leaves behind: with --cleanup nothing at all (envs and the shared registry),
// whatever the envs' results; with --keep-failed the failed env only; and after a run that
// was killed outright (SIGKILL, no chance to clean up), the next run's reset clears what
// it left, so that run passes with exactly the expected containers. The runs use the demo's
// envs (and a broken one) through helpers.writeMatrix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CliRun,
  INFRA_PROJECT,
  REGISTRY_CONTAINER,
  containersOf,
  demoAlpha,
  demoBeta,
  docker,
  envOf,
  isPhaseStart,
  leftovers,
  makeRunDir,
  networksOf,
  parseJsonl,
  paths,
  phaseStatuses,
  project,
  runCli,
  suiteEnd,
  teardownAll,
  volumesOf,
  writeMatrix,
  type EnvSpec,
  eachTestRunsItsOwnClis,
  nothingLeft,
} from './helpers';

const DEMO_ENVS = ['demo-alpha', 'demo-beta'] as const;
const BROKEN: EnvSpec = { env: 'dkt-deploy-fail', envDir: paths.healthyEnvDir, suites: ['smoke'], templates: [paths.missingFunctionTemplate] };

async function registryContainers(): Promise<string[]> {
  return (await docker('ps', '--all', '--filter', `name=^${REGISTRY_CONTAINER}$`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
}

eachTestRunsItsOwnClis();

describe('--cleanup', () => {
  it('after a passing run, leaves no container, network or volume of the run, and stops the registry', async () => {
    const dir = makeRunDir('cleanup-pass');
    const cli = await runCli(['run', '--matrix', writeMatrix(dir, [demoAlpha(), demoBeta()]), '--cleanup', '--reporter', 'jsonl', '--log-dir', join(dir, 'logs')], { saveTo: dir });
    expect(cli.code, `stderr:\n${cli.stderr}`).toBe(0);
    const result = suiteEnd(parseJsonl(cli.stdout).events);
    for (const name of DEMO_ENVS) {
      const env = envOf(result, name);
      expect(env.status).toBe('passed');
      expect(phaseStatuses(env)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'passed', test: 'passed', cleanup: 'passed' });
      expect(await leftovers(project(name)), name).toEqual(nothingLeft);
    }
    expect(await leftovers(INFRA_PROJECT)).toEqual(nothingLeft);
    expect(await registryContainers()).toEqual([]);
  });

  it('takes a failed env down too, after capturing its containers into the compose log', async () => {
    const dir = makeRunDir('cleanup-fail');
    const logDir = join(dir, 'logs');
    const matrix = writeMatrix(dir, [demoAlpha(), BROKEN]);
    const cli = await runCli(['run', '--matrix', matrix, '--cleanup', '--reporter', 'jsonl', '--log-dir', logDir], { saveTo: dir });
    expect(cli.code, `stderr:\n${cli.stderr}`).toBe(1);
    const result = suiteEnd(parseJsonl(cli.stdout).events);
    expect(envOf(result, 'demo-alpha').status).toBe('passed');
    const broken = envOf(result, BROKEN.env);
    expect(broken.status).toBe('failed');
    expect(phaseStatuses(broken)).toMatchObject({ deploy: 'failed', cleanup: 'passed' });
    expect(broken.composeLog).toBe(join(logDir, `.parallel-${BROKEN.env}.compose.log`));
    // Captured while the containers were still up: their output is in it.
    expect(readFileSync(broken.composeLog!, 'utf8')).toContain(`gateway: env=${BROKEN.env} listening on :8080`);
    for (const p of [project('demo-alpha'), project(BROKEN.env), INFRA_PROJECT]) expect(await leftovers(p), p).toEqual(nothingLeft);
  });

  it('with --keep-failed, keeps the failed env (and the registry) up and takes the passing one down', async () => {
    const dir = makeRunDir('cleanup-keep');
    const matrix = writeMatrix(dir, [demoAlpha(), BROKEN]);
    const cli = await runCli(['run', '--matrix', matrix, '--cleanup', '--keep-failed', '--reporter', 'jsonl', '--log-dir', join(dir, 'logs')], {
      saveTo: dir,
    });
    expect(cli.code, `stderr:\n${cli.stderr}`).toBe(1);
    const result = suiteEnd(parseJsonl(cli.stdout).events);
    expect(phaseStatuses(envOf(result, 'demo-alpha'))).toMatchObject({ test: 'passed', cleanup: 'passed' });
    expect(envOf(result, BROKEN.env).phases.map((p) => p.name)).not.toContain('cleanup');
    expect(await leftovers(project('demo-alpha'))).toEqual(nothingLeft);
    expect((await containersOf(project(BROKEN.env))).map((c) => c.state)).toEqual(['running', 'running']);
    expect(await registryContainers()).toEqual([REGISTRY_CONTAINER]);
    await teardownAll();
  });
});

describe('a rerun after a killed run', () => {
  it('starts clean: its reset removes what the killed run left, and it passes with exactly the expected containers', async () => {
    const dir1 = makeRunDir('killed');
    const first = new CliRun(['run', '--matrix', writeMatrix(dir1, [demoAlpha(), demoBeta()]), '--reporter', 'jsonl', '--log-dir', join(dir1, 'logs')], { saveTo: dir1 });
    await first.waitFor('demo-alpha deploying', (ev) => ev.some(isPhaseStart('demo-alpha', 'deploy')));
    process.kill(first.pid, 'SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // Killed outright: no cleanup ran, the envs it had started are still there. (Its
    // children, in their own process groups, are orphans now; they die on their next
    // write to the closed pipe. The rerun starts at once, as a user would.)
    expect((await leftovers(project('demo-alpha'))).containers).toEqual(['esb-demo-alpha-database', 'esb-demo-alpha-gateway']);

    // Things compose itself does not know about but that carry the project's label.
    await docker('run', '--detach', '--network', 'none', '--name', 'esb-demo-alpha-stray', '--label', `com.docker.compose.project=${project('demo-alpha')}`, 'busybox:1.36', 'sleep', '600');
    await docker('volume', 'create', '--label', `com.docker.compose.project=${project('demo-beta')}`, 'esb-demo-beta_stray');

    const dir2 = makeRunDir('rerun');
    const second = await runCli(['run', '--matrix', writeMatrix(dir2, [demoAlpha(), demoBeta()]), '--reporter', 'jsonl', '--log-dir', join(dir2, 'logs')], { saveTo: dir2 });
    expect(second.code, `stderr:\n${second.stderr}\n${second.stdout.slice(-3000)}`).toBe(0);
    const result = suiteEnd(parseJsonl(second.stdout).events);
    // The engine's API told reset what compose down left; removing it is a logged command.
    const alphaLog = readFileSync(envOf(result, 'demo-alpha').log!, 'utf8');
    expect(alphaLog).toMatch(/# left with com\.docker\.compose\.project=esb-demo-alpha \(unix:\/\/[^)]+\): containers 1\n\$ docker rm --force --volumes [0-9a-f]{64}\n/);
    const betaLog = readFileSync(envOf(result, 'demo-beta').log!, 'utf8');
    expect(betaLog).toMatch(/# left with com\.docker\.compose\.project=esb-demo-beta \(unix:\/\/[^)]+\): volumes 1\n\$ docker volume rm --force esb-demo-beta_stray\n/);
    for (const name of DEMO_ENVS) {
      expect(envOf(result, name).status).toBe('passed');
      const containers = await containersOf(project(name));
      expect(containers.map((c) => c.name).sort()).toEqual([`esb-${name}-database`, `esb-${name}-gateway`]);
      for (const c of containers) expect(c.state, `${c.name}: ${c.status}`).toBe('running');
      expect(await networksOf(project(name))).toEqual([`esb-${name}-external`]);
      expect(await volumesOf(project(name))).toEqual([`esb-${name}_database-data`]);
    }
    // The database volume was recreated by the rerun's reset, not reused: first boot on it.
    const port = (await containersOf(project('demo-alpha'))).find((c) => c.service === 'database')!.ports.match(/:(\d+)->8000/)![1];
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { boots: number };
    expect(status.boots).toBe(1);
  });
});
