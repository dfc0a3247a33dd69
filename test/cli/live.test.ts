// The live view, recorded: the built CLI run under a pseudo-terminal (util-linux `script`)
// on a project of fake tools. On a terminal with --no-verbose the env lines are redrawn in
// place; --no-live, CI, verbose output or a pipe give the plain `[env]` stream, with no
// cursor movement at all.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, makeProject, type Project } from '../helpers/fake-project';
import { Screen } from '../helpers/screen';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI on a 100x30 pseudo-terminal; what the terminal received, and the exit code. */
function underTerminal(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; output: string }> {
  const command = `stty cols 100 rows 30; exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Cursor movement or erasing: what the plain stream never does. */
// eslint-disable-next-line no-control-regex
const MOVES = /\x1b\[\d*[ABCDHJK]/;

describe('the live view under a pseudo-terminal', () => {
  it('--no-verbose on a terminal: one line per env, redrawn in place, then the summary', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const rules = 'esb|beta|deploy|sleep=1.2\npython3|alpha||sleep=1.2;print=collected 2 items\\ntests/a.py::t1 PASSED\\ntests/a.py::t2 FAILED;exit=1';
    const r = await underTerminal(['run', '--no-verbose'], project.env({ FAKE_RULES: rules }), project.root);
    expect(r.code).toBe(1);
    // Redraws: up over the two env lines, erase, draw again; many times over the run.
    expect(r.output.split('\x1b[2A\x1b[J').length - 1).toBeGreaterThan(3);
    // Frames seen on the way: beta deploying while alpha is in its tests.
    expect(r.output).toMatch(/beta {3}deploy/);
    expect(r.output).toMatch(/alpha {2}(test|failed) /);
    const screen = new Screen(100);
    screen.play(r.output);
    const shown = screen.text();
    // What stays on screen: the failure above the view, each env once with its result, the summary.
    expect(shown.filter((l) => /^(alpha|beta) +(failed|passed) /.test(l))).toEqual([
      expect.stringMatching(/^alpha  failed {5,}\d+\.\ds {2}2\/2 {2}1 passed, 1 failed$/),
      expect.stringMatching(/^beta {3}passed {5,}\d+\.\ds {2}2\/2 {2}2 passed$/),
      expect.stringMatching(/^alpha +failed /), // the summary table's row
      expect.stringMatching(/^beta +passed /),
    ]);
    expect(shown.some((l) => l.startsWith('[alpha] failed after '))).toBe(true);
    expect(shown.at(-2)).toMatch(/^FAILED: 1 passed, 1 failed, 0 cancelled in /);
  }, 30_000);

  it('--no-live on a terminal: exactly the plain stream, no cursor movement, no erased line', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const r = await underTerminal(['run', '--no-verbose', '--no-live', '--no-color'], project.env(), project.root);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(MOVES);
    // eslint-disable-next-line no-control-regex
    expect(r.output).not.toMatch(/\x1b/);
    expect(r.output).toContain('[alpha] test start\r\n');
    expect(r.output).toContain('[beta] test passed (');
  }, 30_000);

  it('in CI (CI=true), verbose, or --reporter jsonl the terminal gets no live view either', async () => {
    project = makeProject({ envs: ['alpha'] });
    const ci = await underTerminal(['run', '--no-verbose', '--color', 'never'], project.env({ CI: 'true' }), project.root);
    const verbose = await underTerminal(['run', '--color', 'never'], project.env(), project.root);
    const jsonl = await underTerminal(['run', '--no-verbose', '--reporter', 'jsonl'], project.env(), project.root);
    for (const r of [ci, verbose, jsonl]) {
      expect(r.code).toBe(0);
      expect(r.output).not.toMatch(MOVES);
    }
    expect(ci.output).toContain('[alpha] test start');
    expect(verbose.output).toContain('[alpha] $ ');
    expect(jsonl.output).toContain('{"time":');
  }, 30_000);

  it("ESB's runner's flags are accepted: --no-color (no colour at all), --emoji, --no-emoji", async () => {
    project = makeProject({ envs: ['alpha'] });
    for (const flags of [['--no-color', '--emoji'], ['--no-color', '--no-emoji']]) {
      const r = await underTerminal(['run', '--no-verbose', ...flags], project.env(), project.root);
      expect(r.code).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(r.output.replace(/\x1b\[\d*A\x1b\[J/g, '')).not.toMatch(/\x1b\[\d*m/);
      expect(r.output).toContain('PASSED: 1 passed');
    }
  }, 30_000);
});
