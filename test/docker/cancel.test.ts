// Cancellation for real: --fail-fast and Ctrl-C (SIGINT) stop the envs that are still
// running, take them down (compose down --volumes), and leave no container of theirs and
// no process of the run behind. The envs that get cancelled run the fixtures' slow suite
// (one test that sleeps 60 s), so a run that waited for them would take over a minute.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CliRun,
  containersOf,
  envOf,
  stillRunning,
  leftovers,
  mentionsOf,
  makeRunDir,
  parseJsonl,
  paths,
  phaseStatuses,
  processesMentioning,
  project,
  suiteEnd,
  teardownAll,
  writeMatrix,
  type CliResult,
  type EnvSpec,
  type Proc,
  type RunEvent,
  type SuiteResult,
  eachTestRunsItsOwnClis,
  nothingLeft,
} from './helpers';

const slowEnv = (env: string): EnvSpec => ({ env, envDir: paths.healthyEnvDir, suites: ['slow'], templates: [paths.demoTemplate('alpha')] });

/** The test phase of `env` has started pytest and collected its tests. */
const collectedIn = (env: string) => (events: RunEvent[]) =>
  events.some((e) => e.type === 'output' && e.env === env && e.phase === 'test' && /collected \d+ items?/.test(e.line));


eachTestRunsItsOwnClis();

describe('--fail-fast', () => {
  const BROKEN = 'dkt-deploy-fail';
  const SLOW = 'dkt-slow-a';
  let dir: string;
  let cli: CliRun;
  let done: CliResult;
  let events: RunEvent[];
  let result: SuiteResult;
  // What was left right after the CLI ended, looked at before any other test step.
  let left: { sibling: Awaited<ReturnType<typeof leftovers>>; mentioning: Proc[]; outlived: Proc[] };

  beforeAll(async () => {
    dir = makeRunDir('failfast');
    const matrix = writeMatrix(dir, [
      { env: BROKEN, envDir: paths.healthyEnvDir, suites: ['smoke'], templates: [paths.missingFunctionTemplate] },
      slowEnv(SLOW),
    ]);
    cli = new CliRun(['run', '--matrix', matrix, '--fail-fast', '--reporter', 'jsonl', '--log-dir', join(dir, 'logs')], { saveTo: dir, watchTree: true });
    done = await cli.done;
    left = {
      sibling: await leftovers(project(SLOW)),
      mentioning: await processesMentioning([SLOW, BROKEN, ...mentionsOf(dir)]),
      outlived: await stillRunning([...cli.tree.values()]),
    };
    events = parseJsonl(done.stdout).events;
    result = suiteEnd(events);
  });

  it('fails the run (exit 1) on the broken env and cancels the slow sibling, long before its test could end', () => {
    expect(done.code, `stderr:\n${done.stderr}`).toBe(1);
    // The slow test alone sleeps 60 s; the whole run is over long before that.
    expect(done.durationMs).toBeLessThan(45_000);

    const broken = envOf(result, BROKEN);
    expect(broken.status).toBe('failed');
    expect(phaseStatuses(broken)).toMatchObject({ reset: 'passed', compose: 'passed', deploy: 'failed' });
    expect(broken.error).toMatch(/^deploy: /);

    const slow = envOf(result, SLOW);
    expect(slow.status, `${SLOW}: ${slow.error}\n${slow.tail.slice(-8).join('\n')}`).toBe('cancelled');
    expect(slow.phases.find((p) => p.status === 'cancelled'), 'the phase it was in is marked cancelled').toBeDefined();
    expect(slow.phases.find((p) => p.name === 'test')?.status).not.toBe('passed');
    expect(events.filter((e) => e.type === 'env_end' && e.env === SLOW).map((e) => (e as { status: string }).status)).toEqual(['cancelled']);
  });

  it('takes the cancelled sibling down and leaves no process of the run; the failed env stays up', async () => {
    expect(envOf(result, SLOW).phases.find((p) => p.name === 'cleanup')?.status, 'a cancelled env is taken down').toBe('passed');
    expect(left.sibling).toEqual(nothingLeft);
    expect(left.mentioning).toEqual([]);
    expect(cli.tree.size, 'the CLI ran children').toBeGreaterThan(0);
    expect(left.outlived, 'processes the CLI started that outlived it').toEqual([]);
    // The failed env itself stays up for inspection (no --cleanup).
    expect((await containersOf(project(BROKEN))).map((c) => c.state)).toEqual(['running', 'running']);
  });

  // "First env failure cancels the others at once": the sibling must not go on working
  // while the failed env's containers are captured into its .compose.log (two compose
  // calls, a second or more; up to the capture's 120 s timeout when the engine is slow).
  it("cancels the sibling at once, not after the failed env's compose-log capture", () => {
    const time = (pred: (e: RunEvent) => boolean, what: string) => {
      const e = events.find(pred);
      if (!e) throw new Error(`no ${what} event`);
      return Date.parse((e as RunEvent & { time: string }).time);
    };
    const failedAt = time((e) => e.type === 'phase_end' && e.env === BROKEN && e.status === 'failed', `${BROKEN} phase_end failed`);
    const capturedAt = time((e) => e.type === 'env_end' && e.env === BROKEN, `${BROKEN} env_end`);
    const cancelledAt = time((e) => e.type === 'phase_end' && e.env === SLOW && e.status === 'cancelled', `${SLOW} phase_end cancelled`);
    const cancelDelay = cancelledAt - failedAt;
    const captureTime = capturedAt - failedAt;
    expect(cancelDelay, `${SLOW} was cancelled ${cancelDelay} ms after ${BROKEN} failed: only once its capture had ended (${captureTime} ms)`).toBeLessThan(
      captureTime,
    );
  });
});

describe('Ctrl-C (SIGINT to the CLI)', () => {
  const A = 'dkt-slow-a';
  const B = 'dkt-slow-b';

  it('stops both running envs (exit 130), prints the summary, takes them down and leaves no process', async () => {
    await teardownAll();
    const dir = makeRunDir('ctrlc');
    const logDir = join(dir, 'logs');
    const matrix = writeMatrix(dir, [slowEnv(A), slowEnv(B)]);
    const cli = new CliRun(['run', '--matrix', matrix, '--reporter', 'jsonl', '--log-dir', logDir], { saveTo: dir, watchTree: true });
    await cli.waitFor(`pytest running in ${A} and ${B}`, (ev) => collectedIn(A)(ev) && collectedIn(B)(ev));
    // The process check below can see them: both pytest processes are there now.
    for (const name of [A, B]) {
      const pytest = await processesMentioning([`.junit-${name}.xml`]);
      expect(pytest.map((p) => p.args).join('\n')).toMatch(/-m pytest /);
    }

    const sentAt = Date.now();
    process.kill(cli.pid, 'SIGINT');
    const done = await cli.done;
    const stoppedIn = Date.now() - sentAt;

    expect(done.code, `stderr:\n${done.stderr}`).toBe(130);
    expect(done.stderr).toMatch(/SIGINT: stopping/);
    expect(stoppedIn).toBeLessThan(30_000);
    const { events, junk } = parseJsonl(done.stdout);
    expect(junk).toEqual([]);
    const result = suiteEnd(events);
    expect(result.signal).toBe('SIGINT');
    expect(result.status).toBe('cancelled');
    for (const name of [A, B]) {
      const env = envOf(result, name);
      expect(env.status).toBe('cancelled');
      expect(phaseStatuses(env)).toEqual({ reset: 'passed', compose: 'passed', deploy: 'passed', test: 'cancelled', cleanup: 'passed' });
      expect(await leftovers(project(name))).toEqual(nothingLeft);
      // Its log was closed properly and ends with the verdict.
      expect(readFileSync(join(logDir, `.parallel-${name}.log`), 'utf8').trimEnd().split('\n').pop()).toMatch(new RegExp(`^# env ${name} cancelled`));
    }
    expect(await processesMentioning([A, B, ...mentionsOf(dir)])).toEqual([]);
    const tree = [...cli.tree.values()];
    // Counted by env, not by pid: python3 may be a shim (pyenv's bash) whose subshells
    // show pytest's command line under pids of their own for a moment.
    const pytestOf = (args: string) => / -m pytest .*\.junit-(dkt-slow-[ab])\.xml/.exec(args)?.[1];
    const envsWithPytest = new Set(tree.map((p) => pytestOf(p.args)).filter((e) => e !== undefined));
    expect([...envsWithPytest].sort(), 'both pytest processes were seen under the CLI').toEqual([A, B]);
    expect(await stillRunning(tree), 'processes the CLI started that outlived it').toEqual([]);
  });
});
