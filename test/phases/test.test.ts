// pytest: the command line and the progress parser.
import { describe, expect, it } from 'vitest';
import { PytestProgress } from '../../src/phases/pytest-progress';
import { pytestArgv } from '../../src/phases/test';
import type { EnvPlan, Plan } from '../../src/plan/types';

describe('pytestArgv', () => {
  it('is <python> -m pytest <targets> -v [--ignore]... [-m] --junitxml <file> [args]', () => {
    const plan = { root: '/p', generation: 'legacy', pytestArgs: ['-k', 'gateway', '-x'] } as unknown as Plan;
    const env = { python: 'python3', targets: ['e2e/a', 'e2e/b'], excludes: ['e2e/a/slow'], markers: 'not slow', junit: '/p/e2e/.junit-x.xml' } as unknown as EnvPlan;
    expect(pytestArgv(plan, env)).toEqual(['python3', '-m', 'pytest', 'e2e/a', 'e2e/b', '-v', '--ignore', 'e2e/a/slow', '-m', 'not slow', '--junitxml', 'e2e/.junit-x.xml', '-k', 'gateway', '-x']);
    const bare = { ...env, excludes: [], markers: null } as unknown as EnvPlan;
    expect(pytestArgv({ ...plan, pytestArgs: [] }, bare)).toEqual(['python3', '-m', 'pytest', 'e2e/a', 'e2e/b', '-v', '--junitxml', 'e2e/.junit-x.xml']);
  });

  it("ESB's current layout: --compose-file <the env's compose file> --import-mode=importlib before the targets", () => {
    const plan = { root: '/p', generation: 'current', pytestArgs: [] } as unknown as Plan;
    const env = { python: 'python3', targets: ['e2e/a'], excludes: ['e2e/a/slow'], markers: null, junit: '/p/e2e/.junit-x.xml', composeFiles: ['/p/e2e/environments/x/docker-compose.yml'] } as unknown as EnvPlan;
    expect(pytestArgv(plan, env)).toEqual([
      'python3', '-m', 'pytest', '--compose-file', 'e2e/environments/x/docker-compose.yml', '--import-mode=importlib',
      'e2e/a', '-v', '--ignore', 'e2e/a/slow', '--junitxml', 'e2e/.junit-x.xml',
    ]);
  });
});

describe('PytestProgress', () => {
  it('follows collected items and -v result lines, and takes the closing summary as the count', () => {
    const p = new PytestProgress();
    const moved = [
      'collecting ... collected 4 items',
      '',
      'tests/test_a.py::test_one PASSED                                   [ 25%]',
      'tests/test_a.py::test_two FAILED                                   [ 50%]',
      'tests/test_a.py::test_three[param-1] SKIPPED (no reason)           [ 75%]',
      'tests/test_a.py::test_four ERROR                                   [100%]',
      '=================== 1 failed, 1 passed, 1 skipped, 1 error in 0.12s ===================',
    ].map((l) => p.push(l));
    expect(moved).toEqual([true, false, true, true, true, true, false]);
    expect(p.current).toBe(4);
    expect(p.counts).toEqual({ collected: 4, passed: 1, failed: 1, skipped: 1, errors: 1 });
  });

  it('mayMatter: a chunk is skipped only when no line of it can move progress or counts', () => {
    const transcript = [
      'collecting ... collected 4 items',
      'tests/test_a.py::test_one PASSED                                   [ 25%]',
      '=================== 1 passed in 0.12s ===================',
      'collected 10 items / 7 deselected / 3 selected',
    ];
    for (const line of transcript) expect(new PytestProgress().mayMatter(line, [line]), line).toBe(true);
    const noise = ['INFO gateway started on :8443', 'L000000001 abcdefghij', '', 'Traceback (most recent call last):'];
    const p = new PytestProgress();
    expect(p.mayMatter(noise.join('\n'), noise)).toBe(false);
    for (const line of noise) expect(p.push(line)).toBe(false);
    expect(p.counts).toEqual({ collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 });
    const mixed = [...noise, transcript[0]!];
    expect(p.mayMatter(mixed.join('\n'), mixed)).toBe(true);
  });

  it('looks for the collected line, at a line start, until it has seen it, then no more (pytest prints it once)', () => {
    const p = new PytestProgress();
    const chunk = (...lines: string[]) => p.mayMatter(lines.join('\n'), lines);
    expect(chunk('a test printed: collected 2 items', 'selected')).toBe(false);
    expect(chunk('noise', 'collected 3 items')).toBe(true);
    expect(p.push('collected 3 items')).toBe(true);
    expect(chunk('noise', 'collected 2 items')).toBe(false);
    expect(p.push('collected 2 items')).toBe(false);
    expect(p.counts.collected).toBe(3);
    // Results and the summary are still looked at.
    expect(p.push('tests/test_a.py::test_one PASSED [ 33%]')).toBe(true);
    expect(chunk('noise', '== 1 passed in 0.1s ==')).toBe(true);
  });

  it('uses the selected count when tests are deselected, and ignores lookalikes', () => {
    const p = new PytestProgress();
    p.push('collected 10 items / 7 deselected / 3 selected');
    expect(p.counts.collected).toBe(3);
    expect(p.push('assert "PASSED" in output')).toBe(false);
    expect(p.current).toBe(0);
  });
});
