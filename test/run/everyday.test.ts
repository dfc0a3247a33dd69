// The daily loop through the built CLI (fake tools): what a run leaves up and `down`,
// `run --failed`, no stale artefacts, the run's id, and help that teaches.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, runCli, type Call, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const argvOf = (c: Call) => `${c.tool} ${c.argv.join(' ')}`;

describe('what is left up, and down', () => {
  it('a run without --cleanup says what it left up and how to stop it; with --cleanup it says nothing', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const kept = await runCli(['run', '--no-verbose'], { cwd: project.root, env: project.env() });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('\nStill up: esb-alpha and esb-beta; `esb-e2e down` stops them.\n');
    const cleaned = await runCli(['run', '--no-verbose', '--cleanup'], { cwd: project.root, env: project.env() });
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).not.toContain('Still up');
  });

  it('down takes down what carries an env compose label, says what it removed, and is safe to repeat', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const rules = 'docker|*|ps --all --quiet --filter label=com.docker.compose.project=esb-alpha|print=c0ffee\\n';
    const first = await runCli(['down'], { cwd: project.root, env: project.env({ FAKE_RULES: rules }) });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('[alpha] esb-alpha taken down: removed containers 1\n');
    expect(first.stdout).toContain('[beta] nothing of esb-beta is up\n');
    const calls = project.calls().map(argvOf);
    expect(calls).toContain('docker compose --project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env down --volumes --remove-orphans');
    expect(calls).toContain('docker rm --force --volumes c0ffee');
    expect(calls.some((c) => c.includes('esb-beta') && c.includes(' down '))).toBe(false);
    const again = await runCli(['down'], { cwd: project.root, env: project.env() });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('[alpha] nothing of esb-alpha is up\n');
  });

  it('down --env narrows it to those envs', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const r = await runCli(['down', '--env', 'beta'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[beta] nothing of esb-beta is up\n');
    expect(r.stdout).not.toContain('alpha');
    // Only the registry of a whole run is taken down (this project has none anyway).
    expect(r.stdout).not.toContain('[infra]');
  });
});

describe('run --failed', () => {
  it('runs only what did not pass in the last run; with nothing to re-run it says so and starts nothing', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const first = await runCli(['run', '--no-verbose'], { cwd: project.root, env: project.env({ FAKE_RULES: 'esb|alpha|deploy|exit=3' }) });
    expect(first.code).toBe(1);
    const last = JSON.parse(readFileSync(join(project.logDir, '.esb-e2e-last.json'), 'utf8')) as { runId: string; envs: Record<string, string> };
    expect(last.envs).toEqual({ alpha: 'failed', beta: 'passed' });
    const before = project.calls().length;
    const rerun = await runCli(['run', '--no-verbose', '--failed'], { cwd: project.root, env: project.env() });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toBe(`esb-e2e: re-running what did not pass in the last run (${last.runId}): alpha\n`);
    const rerunCalls = project.calls().slice(before);
    expect(rerunCalls.length).toBeGreaterThan(0);
    expect(rerunCalls.every((c) => c.env.ENV === 'alpha' || c.argv.includes('version'))).toBe(true);
    const after = project.calls().length;
    const nothing = await runCli(['run', '--failed'], { cwd: project.root, env: project.env() });
    expect(nothing.code).toBe(0);
    expect(nothing.stderr).toMatch(/^esb-e2e: nothing to re-run: every env passed in the last run \([0-9a-f]{16}, .*\)\n$/);
    expect(nothing.stdout).toBe('');
    expect(project.calls().length).toBe(after);
  });

  it('with no earlier run in the log dir: nothing to re-run, exit 0', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--failed'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('esb-e2e: nothing to re-run: no earlier run in e2e\n');
    expect(project.calls()).toEqual([]);
  });
});

describe('no stale artefacts', () => {
  it("an env's JUnit and compose log of an earlier run are gone before it runs; the report carries the run's id", async () => {
    project = makeProject({ envs: ['alpha'] });
    mkdirSync(project.logDir);
    writeFileSync(join(project.logDir, '.junit-alpha.xml'), '<testsuites><testsuite name="old"/></testsuites>');
    writeFileSync(join(project.logDir, '.parallel-alpha.compose.log'), 'old capture');
    const r = await runCli(['run', '--build-only', '--report', 'report.json'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
    expect(existsSync(join(project.logDir, '.junit-alpha.xml'))).toBe(false);
    expect(existsSync(join(project.logDir, '.parallel-alpha.compose.log'))).toBe(false);
    const report = JSON.parse(readFileSync(join(project.root, 'report.json'), 'utf8')) as { runId: string; envs: { junit: unknown; composeLog: unknown }[] };
    expect(report.runId).toMatch(/^[0-9a-f]{16}$/);
    expect(report.envs[0]).toMatchObject({ junit: null, composeLog: null });
    const last = JSON.parse(readFileSync(join(project.logDir, '.esb-e2e-last.json'), 'utf8')) as { runId: string };
    expect(last.runId).toBe(report.runId);
  });

  it('an env cancelled before it started points at no log', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const r = await runCli(['run', '--jobs', '1', '--fail-fast', '--report', 'report.json'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'esb|alpha|deploy|exit=3' }),
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(join(project.root, 'report.json'), 'utf8')) as { envs: { name: string; status: string; log: unknown }[] };
    expect(report.envs.find((e) => e.name === 'beta')).toMatchObject({ status: 'cancelled', log: null });
    expect(existsSync(join(project.logDir, '.parallel-beta.log'))).toBe(false);
    expect(r.stdout).toMatch(/^beta +cancelled .* -$/m);
  });
});

describe('help that teaches', () => {
  it('run --help: pytest arguments after --, the exit codes, three examples', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--help'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('everything after `--` goes to every env\'s pytest');
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 +every env passed\n {2}1 .*\n {2}2 .*\n {2}70 .*\n {2}129 +SIGHUP, 130 SIGINT \(Ctrl-C\), 143 SIGTERM\n/);
    expect(r.stdout.split('Examples:')[1]!.match(/^ {2}esb-e2e run/gm)).toHaveLength(3);
  });

  it('--help lists every command', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['--help'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
    for (const command of ['plan', 'run', 'down', 'report']) expect(r.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });
});
