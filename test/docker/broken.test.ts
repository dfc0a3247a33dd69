// Broken envs fail only themselves. One run holds the healthy demo-alpha and three broken
// envs, each broken at a different phase:
//   dkt-crash        its gateway prints a marker and exits at once -> the health wait fails (compose)
//   dkt-deploy-fail  its deploy template names a function folder that does not exist (deploy)
//   dkt-test-fail    its suite has a test that fails (test)
// The plain reporter is used, as a user reads it: each env's phase lines, the summary
// table, and for each failed env its reason, its compose log and the tail of its log.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CliRun,
  GATEWAY_WAIT,
  REGISTRY_URL,
  ROOT,
  containersOf,
  demoAlpha,
  exitCodeOf,
  failureSection,
  makeRunDir,
  paths,
  plainPhaseEnds,
  plainSummary,
  prepare,
  probeContinuously,
  project,
  summaryRow,
  stopOurClis,
  teardownAll,
  writeMatrix,
  type CliResult,
  type PlainPhaseEnd,
  type Probe,
} from './helpers';

const marker = randomBytes(6).toString('hex');
const CRASH = 'dkt-crash';
const DEPLOY = 'dkt-deploy-fail';
const TEST = 'dkt-test-fail';
const HEALTHY = 'demo-alpha';

describe('broken envs next to a healthy one', () => {
  let logDir: string;
  let cli: CliResult;
  let ends: PlainPhaseEnd[];
  let summary: string;
  let registryProbes: Probe[];

  const phaseEnd = (env: string, phase: string) => ends.find((e) => e.env === env && e.phase === phase);
  const phasesOf = (env: string) => Object.fromEntries(ends.filter((e) => e.env === env).map((e) => [e.phase, e.status]));
  const section = (env: string) => {
    const s = failureSection(summary, env);
    if (!s) throw new Error(`no failure section for ${env} in the summary:\n${summary}`);
    return s;
  };

  beforeAll(async () => {
    await prepare();
    const dir = makeRunDir('broken');
    logDir = join(dir, 'logs');
    const matrix = writeMatrix(dir, [
      demoAlpha(),
      {
        env: CRASH,
        envDir: paths.crashEnvDir,
        suites: ['smoke'],
        templates: [paths.demoTemplate('alpha')],
        envVars: { CRASH_MARKER: marker },
        wait: [{ url: GATEWAY_WAIT, timeout: 5 }],
      },
      { env: DEPLOY, envDir: paths.healthyEnvDir, suites: ['smoke'], templates: [paths.missingFunctionTemplate] },
      { env: TEST, envDir: paths.healthyEnvDir, suites: ['failing'], templates: [paths.demoTemplate('alpha')], envVars: { FAILURE_MARKER: marker } },
    ]);
    const running = new CliRun(['run', '--matrix', matrix, '--log-dir', logDir, '--no-verbose', '--color', 'never'], { saveTo: dir });
    await running.waitForText('the registry to be ready', /^\[infra\] registry ready$/m);
    const prober = probeContinuously(REGISTRY_URL);
    cli = await running.done;
    registryProbes = await prober.stop();
    ends = plainPhaseEnds(cli.stdout);
    summary = plainSummary(cli.stdout);
  });

  afterAll(async () => {
    await stopOurClis();
    await teardownAll();
  });

  it('exits 1; the healthy env passed every phase and all its tests', () => {
    expect(cli.code, `stderr:\n${cli.stderr}\n${cli.stdout.slice(-4000)}`).toBe(1);
    expect(phasesOf(HEALTHY)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'passed', test: 'passed' });
    expect(cli.stdout).toMatch(new RegExp(`^\\[${HEALTHY}\\] passed$`, 'm'));
    const row = summaryRow(summary, HEALTHY);
    expect(row[1]).toBe('passed');
    expect(row.join(' ')).toMatch(/\b\d+ passed\b/);
    expect(row.join(' ')).not.toMatch(/failed/);
    expect(failureSection(summary, HEALTHY)).toBeUndefined();
    expect(existsSync(join(logDir, `.parallel-${HEALTHY}.compose.log`))).toBe(false);
    expect(summary).toMatch(/^FAILED: 1 passed, 3 failed, 0 cancelled/m);
  });

  it('a gateway that exits at once fails the compose phase, and its last output is in the compose log', async () => {
    expect(phasesOf(CRASH)).toEqual({ reset: 'passed', compose: 'failed' });
    expect(phaseEnd(CRASH, 'compose')!.error).toMatch(/\/health did not answer 200 within 5s/);
    const s = section(CRASH);
    expect(s.reason).toMatch(/^compose: .*\/health did not answer 200 within 5s/);
    expect(s.composeLog).toBe(relative(ROOT, join(logDir, `.parallel-${CRASH}.compose.log`)));
    // Its log tail is printed under the summary: the wait that failed is in it.
    expect(s.tail[0]).toMatch(new RegExp(`^--- last \\d+ lines of .*\\.parallel-${CRASH}\\.log ---$`));
    expect(s.tail.length).toBeGreaterThan(3);
    expect(s.tail.join('\n')).toMatch(/wait for http:\/\/127\.0\.0\.1:\d+\/health \(up to 5s\)/);

    const composeLog = readFileSync(join(ROOT, s.composeLog!), 'utf8');
    expect(composeLog).toContain(`gateway-crashed-${marker}`);
    expect(composeLog).toMatch(new RegExp(`esb-${CRASH}-gateway\\s.*(Exit 3|exited \\(3\\))`, 'i'));
    // A failed env stays up for inspection (no --cleanup): the exited gateway is still there.
    const gateway = (await containersOf(project(CRASH))).find((c) => c.service === 'gateway');
    expect(gateway?.state).toBe('exited');
    expect(await exitCodeOf(`esb-${CRASH}-gateway`)).toBe(3);
  });

  it('a deploy template naming a missing function folder fails the deploy phase; the test phase never runs', () => {
    expect(phasesOf(DEPLOY)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'failed' });
    const s = section(DEPLOY);
    expect(s.reason).toMatch(/^deploy: .*missing-function\.yaml: esb exited with code 1$/);
    expect(s.tail.join('\n')).toContain('no-such-function-folder');
    expect(s.composeLog).toMatch(new RegExp(`\\.parallel-${DEPLOY}\\.compose\\.log$`));
    const composeLog = readFileSync(join(ROOT, s.composeLog!), 'utf8');
    expect(composeLog).toContain(`gateway: env=${DEPLOY} listening on :8080`);
    expect(cli.stdout).not.toMatch(new RegExp(`^\\[${DEPLOY}\\] test start$`, 'm'));
  });

  it('a failing test fails the test phase, counted as one failed test', () => {
    expect(phasesOf(TEST)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'passed', test: 'failed' });
    const row = summaryRow(summary, TEST);
    expect(row[1]).toBe('failed');
    expect(row).toContain('1 passed, 1 failed');
    const s = section(TEST);
    expect(s.reason).toMatch(/^test: .*1 failed/);
    expect(s.tail.join('\n')).toContain(`deliberate-failure-${marker}`);
    expect(s.composeLog).toMatch(new RegExp(`\\.parallel-${TEST}\\.compose\\.log$`));
    expect(readFileSync(join(logDir, `.junit-${TEST}.xml`), 'utf8')).toMatch(/failures="1"/);
  });

  it('each broken env failed on its own: its summary row marks only its failed phase', () => {
    expect(summaryRow(summary, CRASH).slice(1, 6)).toEqual(['failed', expect.stringMatching(/^\d/), expect.stringMatching(/^!/), '-', '-']);
    expect(summaryRow(summary, DEPLOY).slice(1, 6)).toEqual(['failed', expect.stringMatching(/^\d/), expect.stringMatching(/^\d/), expect.stringMatching(/^!/), '-']);
    expect(summaryRow(summary, TEST).slice(1, 6)).toEqual(['failed', expect.stringMatching(/^\d/), expect.stringMatching(/^\d/), expect.stringMatching(/^\d/), expect.stringMatching(/^!/)]);
    // The crashed env gave up after its own 5 s wait, not the 60 s default.
    const crashCompose = summaryRow(summary, CRASH)[3]!;
    expect(Number(/^!(\d+(?:\.\d+)?)s$/.exec(crashCompose)?.[1])).toBeLessThan(40);
  });

  // This run's registry is the demo's, on a network that sorts before the env networks.
  // Four envs attached it to their networks during the run, and it answered every probe.
  it('keeps the shared registry answering while four envs attach it, when its own network sorts first', () => {
    expect(registryProbes.length).toBeGreaterThan(100);
    expect(registryProbes.filter((p) => !p.ok).map((p) => `${new Date(p.at).toISOString().slice(11, 23)} ${p.what}`)).toEqual([]);
  });
});
