// The shipped example (e2e-matrix.yaml: demo-alpha and demo-beta) run for real, both envs
// at once, then inspected while it is still up: every env has its own compose project,
// network (and subnet), volume, host ports and log file, and what one env deployed is not
// visible in the other.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CliRun,
  SHIPPED_MATRIX,
  containersOf,
  envOf,
  hostPorts,
  makeRunDir,
  networkSubnets,
  networksOf,
  parseJsonl,
  phaseStatuses,
  phasesAt,
  prepare,
  probeContinuously,
  project,
  publishedPort,
  sharedWorkingTime,
  suiteEnd,
  stopOurClis,
  teardownAll,
  volumesMountedBy,
  volumesOf,
  type CliResult,
  type Probe,
  type RunEvent,
  type SuiteResult,
} from './helpers';

const ENVS = ['demo-alpha', 'demo-beta'] as const;

async function get(url: string): Promise<{ status: number; body: string }> {
  const resp = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: resp.status, body: await resp.text() };
}

describe('the shipped matrix, both envs in parallel', () => {
  let logDir: string;
  let cli: CliResult;
  let events: RunEvent[];
  let junk: string[];
  let result: SuiteResult;
  let registryProbes: Probe[];

  beforeAll(async () => {
    await prepare();
    const dir = makeRunDir('parallel');
    logDir = join(dir, 'logs');
    const running = new CliRun(['run', '--matrix', SHIPPED_MATRIX, '--reporter', 'jsonl', '--log-dir', logDir], { saveTo: dir });
    // From the moment the shared registry is ready, watch that it keeps answering.
    const ready = await running.waitFor('the registry to be ready', (ev) => ev.some((e) => e.type === 'registry_ready'));
    const registry = ready.find((e): e is Extract<RunEvent, { type: 'registry_ready' }> => e.type === 'registry_ready')!;
    const prober = probeContinuously(registry.url);
    cli = await running.done;
    registryProbes = await prober.stop();
    ({ events, junk } = parseJsonl(cli.stdout));
    result = suiteEnd(events);
  });

  afterAll(async () => {
    await stopOurClis();
    await teardownAll();
  });

  it('passes: exit 0, every env and every phase passed, all tests passed', () => {
    const why = result.envs
      .filter((e) => e.status !== 'passed')
      .map((e) => `${e.name} ${e.status}: ${e.error}\n  ${e.tail.slice(-6).join('\n  ')}`)
      .join('\n');
    expect(cli.code, `${why}\nstderr:\n${cli.stderr}`).toBe(0);
    expect(junk, 'stdout holds only jsonl events').toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.envs.map((e) => e.name).sort()).toEqual([...ENVS]);
    for (const name of ENVS) {
      const env = envOf(result, name);
      expect(env.status, `${name}: ${env.error}`).toBe('passed');
      expect(phaseStatuses(env)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'passed', test: 'passed' });
      expect(env.tests.failed + env.tests.errors).toBe(0);
      expect(env.tests.passed).toBeGreaterThan(0);
      expect(env.tests.passed).toBe(env.tests.collected);
      expect(env.composeLog, 'no compose log for an env that passed').toBeNull();
      expect(existsSync(join(logDir, `.parallel-${name}.compose.log`))).toBe(false);
    }
  });

  it('ran the envs at the same time, not one after the other', () => {
    // Each env's compose..test span overlaps the other's: both were up and working at once.
    expect(sharedWorkingTime(events, [ENVS[0]!, ENVS[1]!])).toBeGreaterThan(0.5);
  });


  it('gives each env its own compose project, with exactly its own containers running', async () => {
    for (const name of ENVS) {
      const containers = await containersOf(project(name));
      expect(containers.map((c) => c.name).sort()).toEqual([`esb-${name}-database`, `esb-${name}-gateway`]);
      for (const c of containers) expect(c.state, `${c.name}: ${c.status}`).toBe('running');
    }
  });

  it('gives each env its own network and subnet, and keeps its containers off the other network', async () => {
    const subnets: string[] = [];
    for (const name of ENVS) {
      expect(await networksOf(project(name))).toEqual([`esb-${name}-external`]);
      const s = await networkSubnets(`esb-${name}-external`);
      expect(s).toHaveLength(1);
      subnets.push(s[0]!);
      for (const c of await containersOf(project(name))) expect(c.networks).toEqual([`esb-${name}-external`]);
    }
    expect(subnets[0]).not.toBe(subnets[1]);
  });

  it('gives each env its own volume, mounted by its own database only', async () => {
    for (const name of ENVS) {
      expect(await volumesOf(project(name))).toEqual([`esb-${name}_database-data`]);
      expect(await volumesMountedBy(`esb-${name}-database`)).toEqual([`esb-${name}_database-data`]);
    }
  });

  it('publishes distinct host ports per env', async () => {
    const ports = await Promise.all(ENVS.map(async (name) => (await containersOf(project(name))).flatMap((c) => hostPorts(c.ports))));
    for (const p of ports) expect(p.length).toBeGreaterThanOrEqual(2);
    expect(ports[0]!.filter((p) => ports[1]!.includes(p))).toEqual([]);
  });

  it("keeps each env's deployment to itself: alpha has echo but not metrics, beta the reverse", async () => {
    const alpha = await publishedPort('esb-demo-alpha-gateway', 8080);
    const beta = await publishedPort('esb-demo-beta-gateway', 8080);
    expect(alpha).not.toBe(beta);
    expect((await get(`http://127.0.0.1:${alpha}/functions/metrics`)).status).toBe(404);
    const metrics = await get(`http://127.0.0.1:${beta}/functions/metrics`);
    expect(metrics.status).toBe(200);
    expect(JSON.parse(metrics.body)).toMatchObject({ function: 'metrics', env: 'demo-beta' });
    expect((await get(`http://127.0.0.1:${beta}/functions/echo`)).status).toBe(404);
    const echo = await get(`http://127.0.0.1:${alpha}/functions/echo`);
    expect(echo.status).toBe(200);
    expect(JSON.parse(echo.body)).toMatchObject({ function: 'echo', env: 'demo-alpha' });
    // hello is in both, each carrying its own env.
    expect(JSON.parse((await get(`http://127.0.0.1:${alpha}/functions/hello`)).body).env).toBe('demo-alpha');
    expect(JSON.parse((await get(`http://127.0.0.1:${beta}/functions/hello`)).body).env).toBe('demo-beta');
  });

  // Every env's compose phase attaches the shared registry to the env's network (and its
  // reset and cleanup detach it). The registry must keep answering meanwhile: the other
  // envs may be pushing and pulling their images at that very moment. It does because the
  // registry's own network sorts before the envs' (see
  // examples/demo/docker-compose.infra.yml: its network `esb--infra` sorts first, so an
  // env joining or leaving never moves its published port).
  it("keeps the shared registry answering while envs join and leave it (one env's compose phase does not cut the others off)", () => {
    expect(registryProbes.length).toBeGreaterThan(100);
    const failures = registryProbes
      .filter((p) => !p.ok)
      .map((p) => `${new Date(p.at).toISOString().slice(11, 23)} ${p.what} (while: ${phasesAt(events, p.at).join(', ') || '-'})`);
    expect(failures, `the registry stopped answering ${failures.length} time(s) out of ${registryProbes.length} probes`).toEqual([]);
  });

  it('writes one log per env, each about its own env only', () => {
    for (const name of ENVS) {
      const other = ENVS.find((e) => e !== name)!;
      const env = envOf(result, name);
      expect(env.log).toBe(join(logDir, `.parallel-${name}.log`));
      const text = readFileSync(env.log!, 'utf8');
      expect(text).toContain(`--project-name esb-${name} `);
      expect(text, `${name}'s log mentions ${other}`).not.toContain(other);
    }
  });
});
