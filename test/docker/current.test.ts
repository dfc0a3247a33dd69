// The demo in ESB's current layout (examples/demo/e2e/environments/test_matrix.yaml:
// demo-current-a and demo-current-b, each with its artifact manifest) run for real from
// the demo's root, as ESB's runner is run from its project root: the ctl reached through
// the wrapper the runner writes (.e2e/bin/esb-ctl -> python3 -m tools.cli.cli), checked,
// then per env compose up, `ctl deploy --artifact` (plain docker build + push: no buildx
// on this machine), `ctl provision`, pytest with --compose-file; and with --cleanup
// nothing of the run left behind.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CliRun,
  DEMO,
  REGISTRY_CONTAINER,
  docker,
  envOf,
  leftovers,
  makeRunDir,
  nothingLeft,
  parseJsonl,
  phaseStatuses,
  prepare,
  project,
  run,
  runCli,
  sharedWorkingTime,
  stopOurClis,
  suiteEnd,
  teardownAll,
  type CliResult,
  type RunEvent,
  type SuiteResult,
} from './helpers';

const ENVS = ['demo-current-a', 'demo-current-b'] as const;
const MATRIX = 'e2e/environments/test_matrix.yaml';
const WRAPPER = join(DEMO, '.e2e', 'bin', 'esb-ctl');
/**
 * ESB's current runner brings the shared registry up with no compose project name, so
 * compose names it after the infra file's folder: examples/demo -> `demo`.
 */
const REGISTRY_PROJECT = 'demo';
/** What each env's manifest deploys (e2e/current/conftest.py says the same for pytest). */
const DEPLOYED: Record<(typeof ENVS)[number], string[]> = { 'demo-current-a': ['hello', 'echo'], 'demo-current-b': ['hello', 'metrics'] };

/** The registry's project, by label (helpers.teardownAll knows only esb-* projects). */
async function teardownRegistryProject(): Promise<void> {
  const label = `label=com.docker.compose.project=${REGISTRY_PROJECT}`;
  const ids = async (...args: string[]) => (await docker(...args)).split('\n').map((s) => s.trim()).filter(Boolean);
  const containers = await ids('ps', '--all', '--quiet', '--filter', label);
  if (containers.length) await docker('rm', '--force', '--volumes', ...containers);
  for (const network of await ids('network', 'ls', '--quiet', '--filter', label)) await run('docker', ['network', 'rm', network]);
  const volumes = await ids('volume', 'ls', '--quiet', '--filter', label);
  if (volumes.length) await run('docker', ['volume', 'rm', '--force', ...volumes]);
}

/** What the runner writes into the demo's root: the ctl wrapper and the envs' state dirs. */
function removeGenerated(): void {
  rmSync(join(DEMO, '.e2e'), { recursive: true, force: true });
  rmSync(join(DEMO, '.esb'), { recursive: true, force: true });
}

describe("the demo in ESB's current layout, both envs in parallel, with --cleanup", () => {
  let logDir: string;
  let plan: CliResult;
  let cli: CliResult;
  let events: RunEvent[];
  let junk: string[];
  let result: SuiteResult;

  beforeAll(async () => {
    await prepare();
    await teardownRegistryProject();
    removeGenerated();
    const dir = makeRunDir('current');
    logDir = join(dir, 'logs');
    plan = await runCli(['plan', '--matrix', MATRIX], { cwd: DEMO });
    cli = await new CliRun(['run', '--matrix', MATRIX, '--cleanup', '--reporter', 'jsonl', '--log-dir', logDir], { cwd: DEMO, saveTo: dir, timeoutMs: 120_000 }).done;
    ({ events, junk } = parseJsonl(cli.stdout));
    result = suiteEnd(events);
  });

  afterAll(async () => {
    await stopOurClis();
    await teardownRegistryProject();
    await teardownAll();
    removeGenerated();
  });

  it('is planned as the current layout: artifact manifests, the ctl wrapper, port base 18000', () => {
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^ESB layout: current \(/m);
    for (const name of ENVS) {
      expect(plan.stdout).toContain(`deploy   e2e/artifacts/${name}/artifact.yml (ctl .e2e/bin/esb-ctl)`);
    }
    expect(plan.stdout).toMatch(/demo-current-a +docker +smoke,standard +esb-demo-current-a +180\d\d-180\d\d/);
  });

  it('passes: exit 0, both envs and every phase passed, all tests passed', () => {
    const why = result.envs
      .filter((e) => e.status !== 'passed')
      .map((e) => `${e.name} ${e.status}: ${e.error}\n  ${e.tail.slice(-10).join('\n  ')}`)
      .join('\n');
    expect(cli.code, `${why}\nstderr:\n${cli.stderr}`).toBe(0);
    expect(junk, 'stdout holds only jsonl events').toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.envs.map((e) => e.name).sort()).toEqual([...ENVS]);
    for (const name of ENVS) {
      const env = envOf(result, name);
      expect(env.status, `${name}: ${env.error}`).toBe('passed');
      expect(phaseStatuses(env)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'passed', test: 'passed', cleanup: 'passed' });
      expect(env.tests.failed + env.tests.errors).toBe(0);
      expect(env.tests.passed).toBeGreaterThanOrEqual(13);
      expect(env.tests.passed).toBe(env.tests.collected);
    }
    // The runner took down the registry it started.
    expect(result.registryUp).toBeNull();
  });

  it('ran the envs at the same time, not one after the other', () => {
    // Each env's compose..test span overlaps the other's: both were up and working at once.
    expect(sharedWorkingTime(events, [ENVS[0]!, ENVS[1]!])).toBeGreaterThan(0.5);
  });


  it("before any env: checks the ctl's command surface through the wrapper, then starts the registry from the root's docker-compose.infra.yml", () => {
    const before = events.filter((e): e is Extract<RunEvent, { type: 'command' }> => e.type === 'command' && e.env === 'infra').map((e) => e.command);
    const order = [`${WRAPPER} deploy --help`, `${WRAPPER} provision --help`, "docker inspect --format '{{.State.Running}}' esb-infra-registry", 'docker-compose --file docker-compose.infra.yml up --detach registry'];
    const found = order.map((c) => before.findIndex((b) => b === c || b === c.replace('docker-compose', 'docker compose')));
    expect(found.every((i) => i >= 0), before.join('\n')).toBe(true);
    expect([...found].sort((a, b) => a - b)).toEqual(found);
    const firstEnv = events.findIndex((e) => e.type === 'env_start');
    const lastInfra = events.findLastIndex((e) => e.type === 'command' && e.env === 'infra');
    expect(lastInfra).toBeLessThan(firstEnv);
  });

  it('deploys and provisions each env with the ctl through the wrapper the runner wrote, then runs pytest with --compose-file', () => {
    expect(readFileSync(WRAPPER, 'utf8')).toBe(`#!/usr/bin/env bash\nset -euo pipefail\ncd ${DEMO}\nexec python3 -m tools.cli.cli "$@"\n`);
    for (const name of ENVS) {
      const commands = events.filter((e): e is Extract<RunEvent, { type: 'command' }> => e.type === 'command' && e.env === name).map((e) => e.command);
      const dir = `e2e/environments/${name}`;
      const deploy = commands.findIndex((c) => c === `${WRAPPER} deploy --artifact e2e/artifacts/${name}/artifact.yml`);
      const provision = commands.findIndex((c) => c === `${WRAPPER} provision --project esb-${name} --compose-file ${dir}/docker-compose.yml --env-file ${dir}/.env`);
      const pytest = commands.findIndex((c) => c.startsWith(`python3 -m pytest --compose-file ${dir}/docker-compose.yml --import-mode=importlib e2e/current/smoke e2e/current/standard`));
      expect(deploy, commands.join('\n')).toBeGreaterThan(-1);
      expect(provision, commands.join('\n')).toBeGreaterThan(deploy);
      expect(pytest, commands.join('\n')).toBeGreaterThan(provision);
      // No fixture image (nothing starts FROM esb-e2e-image-*), so no buildx.
      expect(commands.filter((c) => c.includes('buildx'))).toEqual([]);

      // What the ctl printed, in the env's own log.
      const log = readFileSync(envOf(result, name).log!, 'utf8');
      for (const fn of DEPLOYED[name]) expect(log).toContain(`[esb-ctl] ${fn}: deployed (GET /functions/${fn})`);
      expect(log).toContain(`[esb-ctl] done: ${DEPLOYED[name].length} function(s) deployed to ${name}`);
      expect(log).toContain(`[esb-ctl] done: esb-${name} provisioned (GET /provisioned.json)`);
    }
  });

  it("leaves each env's deploy metadata in its own state dir (ESB_HOME), and pytest checked deploy's and provision's effects", () => {
    for (const name of ENVS) {
      const meta = JSON.parse(readFileSync(join(DEMO, '.esb', 'e2e', 'state', name, 'deploy.json'), 'utf8')) as {
        env: string;
        project: string;
        tag: string;
        functions: { function: string; image: string }[];
      };
      expect(meta).toMatchObject({ env: name, project: `esb-${name}` });
      // `latest` on a workstation; in CI the commit or the time.
      expect(meta.tag).toMatch(new RegExp(`^e2e-${name}-(latest|[0-9a-f]{7}|\\d{14})$`));
      expect(meta.functions.map((f) => f.function)).toEqual(DEPLOYED[name]);
      for (const f of meta.functions) expect(f.image).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+/demo-${f.function}:${meta.tag}$`));
      // The scenarios that read what deploy installed in the gateway and provision created
      // in the database and marked in the gateway all ran and passed.
      const junit = readFileSync(envOf(result, name).junit!, 'utf8');
      for (const test of ['test_deployed_functions_answer_with_this_env', 'test_other_envs_function_is_not_here', 'test_provision_marked_this_env', 'test_provisioned_tables_are_in_this_envs_database']) {
        expect(junit).toMatch(new RegExp(`<testcase [^>]*name="${test}"[^>]*/>`));
      }
      expect(junit).not.toMatch(/<(failure|error|skipped)\b/);
    }
  });

  it('leaves nothing of the run: no container, network or volume of either env or of the registry, no helper container or function image', async () => {
    for (const name of ENVS) expect(await leftovers(project(name)), name).toEqual(nothingLeft);
    expect(await leftovers(REGISTRY_PROJECT), 'the registry').toEqual(nothingLeft);
    expect((await docker('ps', '--all', '--filter', `name=^${REGISTRY_CONTAINER}$`, '--format', '{{.Names}}')).trim()).toBe('');
    for (const name of ENVS) {
      expect((await docker('ps', '--all', '--quiet', '--filter', `label=esb.demo.env=${name}`)).trim(), `helpers of ${name}`).toBe('');
      expect((await docker('image', 'ls', '--quiet', '--filter', `label=esb.demo.env=${name}`)).trim(), `images of ${name}`).toBe('');
    }
    expect(existsSync(join(DEMO, '.e2e', 'bin', 'esb-ctl'))).toBe(true);
  });
});
