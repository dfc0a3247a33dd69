// src/cli.ts through `main(io)` with a fake Io (no process spawned, `run` recorded), and a
// few runs of the built executable bin/esb-e2e.js.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VERSION, main, type Io, type RunRequest } from '../../src/cli/index';
import type { Plan } from '../../src/plan/types';
import { diskReader } from '../../src/io/reader';

const REPO = resolve(__dirname, '..', '..');
const CLI = join(REPO, 'bin', 'esb-e2e.js');
const LEGACY_ROOT = resolve(REPO, 'test', 'fixtures', 'esb-legacy');
const PKG_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  run: ReturnType<typeof vi.fn<(plan: Plan, settings: RunRequest, io: Io) => Promise<number>>>;
  plan(): Plan;
  settings(): RunRequest;
}

function sink(onData: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      onData(String(chunk));
      done();
    },
  });
}

async function cli(argv: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; runCode?: number } = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const run = vi.fn(async (_plan: Plan, _settings: RunRequest, _io: Io) => opts.runCode ?? 0);
  const io: Io = {
    argv,
    env: opts.env ?? { HOME: '/home/tester', PATH: '/usr/bin' },
    cwd: opts.cwd ?? LEGACY_ROOT,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    context: (root, base) => ({ root, base, reader: diskReader, random: (bytes) => 'ab'.repeat(bytes), now: new Date('2024-05-06T07:08:09Z') }),
    run,
  };
  const code = await main(io);
  return {
    code,
    stdout,
    stderr,
    run,
    plan: () => {
      expect(run).toHaveBeenCalledTimes(1);
      return run.mock.calls[0]![0];
    },
    settings: () => {
      expect(run).toHaveBeenCalledTimes(1);
      return run.mock.calls[0]![1];
    },
  };
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

let tmp: string;
let badMatrix: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-cli-'));
  badMatrix = join(tmp, 'bad-matrix.yaml');
  writeFileSync(badMatrix, 'suites:\n  smoke:\n    targets: [.]\nmatrix:\n  - env: one\n    env_dir: .\n    suites: [smok]\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bad input: exit 2, a message naming what and where, nothing run, no stack trace', () => {
  const cases: [string, string[], (string | RegExp)[]][] = [
    ['unknown flag', ['run', '--bogus'], ["unknown option '--bogus'"]],
    ['--jobs 0', ['run', '--jobs', '0'], ['--jobs', '"0"', '1 or more']],
    ['--jobs -1', ['run', '--jobs', '-1'], ['--jobs', '-1']],
    ['--jobs abc', ['run', '--jobs', 'abc'], ['--jobs', 'abc', 'whole number']],
    ['--shard 3/2', ['run', '--shard', '3/2'], ['--shard', 'shard 3 of 2 does not exist']],
    ['--shard x', ['run', '--shard', 'x'], ['--shard', 'expected <i>/<n>']],
    ['--timeout deploy=-1', ['run', '--timeout', 'deploy=-1'], ['--timeout', 'deploy: expected a positive number of seconds']],
    ['--timeout nope=5', ['run', '--timeout', 'nope=5'], ['--timeout', 'unknown phase "nope" (known: reset, compose, deploy, test)']],
    ['--set NOEQUALS', ['run', '--set', 'NOEQUALS'], ['--set', 'expected KEY=VALUE (got "NOEQUALS")']],
    ['--set with a bad name', ['run', '--set', '1BAD=x'], ['--set', '"1BAD" is not a variable name']],
    ['unknown --env', ['run', '--env', 'nope'], ['--env: unknown env "nope" (known: e2e-docker, e2e-containerd)']],
    ['unknown --suite', ['run', '--suite', 'smok'], ['--suite: unknown suite "smok" (did you mean "smoke"?']],
    ['--build-only --test-only', ['run', '--build-only', '--test-only'], ['--build-only and --test-only cannot be used together']],
    ['--test-target with two envs', ['run', '--test-target', 'e2e/scenarios/smoke'], ['--test-target needs exactly one env (got 2: e2e-docker, e2e-containerd)']],
    ['--test-target with --build-only', ['run', '--env', 'e2e-docker', '--test-target', 'e2e/scenarios/smoke', '--build-only'], ['--test-target cannot be used with --build-only']],
    ['--unit', ['run', '--unit'], ['--unit is not supported', /unit tests with your project's own test command/, 'esb-e2e run']],
    ['--unit-only', ['run', '--unit-only'], ['--unit-only is not supported', /Run unit tests with/]],
    ['--keep-failed without --cleanup', ['run', '--keep-failed'], ['--keep-failed only applies with --cleanup']],
    ['plan --json --github-matrix', ['plan', '--json', '--github-matrix'], ['--json and --github-matrix cannot be used together']],
    ['a bad matrix file via --matrix', ['run', '--matrix', '__BAD__'], ['bad-matrix.yaml:7:14: matrix[0].suites[0]: unknown suite "smok" (did you mean "smoke"? known: smoke)']],
    ['a missing matrix file via --matrix', ['plan', '--matrix', 'nowhere.yaml'], ['nowhere.yaml: matrix file not found']],
    ['--reporter xml', ['run', '--reporter', 'xml'], ['--reporter', 'plain, jsonl']],
    ['--color sometimes', ['run', '--color', 'sometimes'], ['--color', 'auto, always, never']],
    ['--jobs without a value', ['run', '--jobs'], ['--jobs', 'missing']],
    ['an unexpected argument', ['run', 'extra'], ['too many arguments']],
    ['an unknown command', ['deploy'], ['deploy']],
    ['pytest args after -- for plan', ['plan', '--', '-k', 'x'], ['plan takes no pytest arguments after --']],
  ];

  it.each(cases)('%s', async (_name, argv, expected) => {
    const args = argv.map((a) => (a === '__BAD__' ? badMatrix : a));
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.run).not.toHaveBeenCalled();
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^esb-e2e: /);
    for (const e of expected) {
      if (typeof e === 'string') expect(r.stderr).toContain(e);
      else expect(r.stderr).toMatch(e);
    }
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toContain('ConfigError');
  });

  it('no arguments prints the usage on stderr and exits 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: esb-e2e');
    expect(r.run).not.toHaveBeenCalled();
  });

  it('a config error inside the project (managed port clash) exits 2 without running', async () => {
    const r = await cli(['run', '--set', 'PORT_GATEWAY_HTTPS=9443']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"e2e-docker"');
    expect(r.stderr).toContain('"e2e-containerd"');
    expect(r.run).not.toHaveBeenCalled();
  });
});

describe('plan', () => {
  it('prints the table for the legacy layout', async () => {
    const r = await cli(['plan']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.run).not.toHaveBeenCalled();
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('matrix: e2e/environments/test_matrix.yaml');
    expect(r.stdout).toMatch(/^env +mode +suites +compose project +ports$/m);
    expect(r.stdout).toMatch(/^e2e-docker +docker +smoke,standard +esb-e2e-docker +33020-33027$/m);
    expect(r.stdout).toMatch(/^e2e-containerd +containerd +smoke,standard +esb-e2e-containerd +33000-33007$/m);
    expect(r.stdout).toMatch(/^e2e-docker\n {2}deploy {3}e2e\/fixtures\/template\.yaml\n {2}targets {2}e2e\/scenarios\/smoke .*\n {2}ports {4}GATEWAY_HTTPS=33020 .*\n.*\n {2}log {6}e2e\/\.parallel-e2e-docker\.log$/m);
  });

  it('fits 100 columns (COLUMNS=100), and the width COLUMNS gives', async () => {
    for (const columns of ['100', '72']) {
      const r = await cli(['plan'], { env: { HOME: '/home/tester', PATH: '/usr/bin', COLUMNS: columns } });
      expect(r.code).toBe(0);
      expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(Number(columns));
    }
  });

  it('--json parses as JSON and masks secrets', async () => {
    const r = await cli(['plan', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { envs: { name: string; env: Record<string, string> }[]; base?: unknown };
    expect(plan.envs.map((e) => e.name)).toEqual(['e2e-docker', 'e2e-containerd']);
    expect(plan.base).toBeUndefined();
    expect(plan.envs[0]!.env.AUTH_PASS).toBe('***');
    expect(r.stdout).not.toContain('ab'.repeat(16));
  });

  it('--github-matrix prints exactly the include list', async () => {
    const r = await cli(['plan', '--github-matrix']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"include":[{"env":"e2e-docker"},{"env":"e2e-containerd"}]}\n');
  });

  it('--github-matrix with --shard gives that shard only', async () => {
    const r = await cli(['plan', '--github-matrix', '--shard', '1/2']);
    expect(r.stdout).toBe('{"include":[{"env":"e2e-containerd"}]}\n');
  });

  it('--profile works as --env', async () => {
    const r = await cli(['plan', '--github-matrix', '--profile', 'e2e-containerd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"include":[{"env":"e2e-containerd"}]}\n');
  });

  it('the base env from io.env does not pin ports', async () => {
    const r = await cli(['plan'], { env: { HOME: '/h', PORT_GATEWAY_HTTPS: '9999' } });
    expect(r.stdout).toContain('GATEWAY_HTTPS=33020');
    expect(r.stdout).not.toContain('9999');
  });
});

describe('run: flags map to the plan and the settings', () => {
  it('defaults', async () => {
    const r = await cli(['run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.settings()).toEqual({
      verbose: true,
      failFast: false,
      build: false,
      noCache: false,
      cleanup: false,
      keepFailed: false,
      reporter: 'plain',
      live: true,
      color: 'auto',
      report: undefined,
      junit: undefined,
    });
    const plan = r.plan();
    expect(plan.envs.map((e) => e.name)).toEqual(['e2e-docker', 'e2e-containerd']);
    expect(plan.jobs).toBe(2);
    expect(plan.pytestArgs).toEqual([]);
    expect(Object.isFrozen(plan)).toBe(true);
  });

  it('passes the run result through as the exit code', async () => {
    expect((await cli(['run'], { runCode: 1 })).code).toBe(1);
  });

  it('every run flag', async () => {
    const r = await cli([
      'run',
      '--no-verbose',
      '--no-cache',
      '--fail-fast',
      '--build',
      '--cleanup',
      '--keep-failed',
      '--reporter',
      'jsonl',
      '--color',
      'never',
      '--report',
      'out/report.json',
      '--junit',
      'out/junit.xml',
    ]);
    expect(r.code).toBe(0);
    const s = r.settings();
    expect(s).toMatchObject({ verbose: false, noCache: true, failFast: true, build: true, cleanup: true, keepFailed: true, reporter: 'jsonl', color: 'never' });
    expect([`out/report.json`, join(LEGACY_ROOT, 'out', 'report.json')]).toContain(s.report);
    expect([`out/junit.xml`, join(LEGACY_ROOT, 'out', 'junit.xml')]).toContain(s.junit);
  });

  it('--color always', async () => {
    expect((await cli(['run', '--color', 'always'])).settings().color).toBe('always');
  });

  it("--no-live, and ESB's runner's --no-color, --emoji, --no-emoji", async () => {
    expect((await cli(['run', '--no-live'])).settings().live).toBe(false);
    expect((await cli(['run', '--no-color'])).settings().color).toBe('never');
    for (const flag of ['--emoji', '--no-emoji']) {
      const r = await cli(['run', flag]);
      expect(r.code).toBe(0);
      expect(r.settings()).not.toHaveProperty('emoji');
    }
  });

  it('--env a,b and repeated --env select those envs', async () => {
    const comma = await cli(['run', '--env', 'e2e-containerd,e2e-docker']);
    expect(comma.plan().envs.map((e) => e.name).sort()).toEqual(['e2e-containerd', 'e2e-docker']);
    const repeated = await cli(['run', '--env', 'e2e-docker', '--env', 'e2e-containerd']);
    expect(repeated.plan().envs.map((e) => e.name).sort()).toEqual(['e2e-containerd', 'e2e-docker']);
    const one = await cli(['run', '--env', 'e2e-docker']);
    expect(one.plan().envs.map((e) => e.name)).toEqual(['e2e-docker']);
    expect(one.plan().jobs).toBe(1);
  });

  it('--profile and --env combine', async () => {
    const r = await cli(['run', '--profile', 'e2e-docker', '--env', 'e2e-containerd']);
    expect(r.plan().envs.map((e) => e.name).sort()).toEqual(['e2e-containerd', 'e2e-docker']);
  });

  it('--parallel is accepted and means the default', async () => {
    const r = await cli(['run', '--parallel']);
    expect(r.code).toBe(0);
    expect(r.plan().jobs).toBe(2);
  });

  it('-j / --jobs', async () => {
    expect((await cli(['run', '-j', '1'])).plan().jobs).toBe(1);
    expect((await cli(['run', '--jobs', '5'])).plan().jobs).toBe(5);
  });

  it('--suite, --shard, --timeout, --set, --log-dir', async () => {
    const r = await cli([
      'run',
      '--suite',
      'smoke',
      '--shard',
      '2/2',
      '--timeout',
      'test=5',
      '--timeout',
      'deploy=9.5',
      '--set',
      'EXTRA=1',
      '--set',
      'WITH_EQ=a=b',
      '--log-dir',
      'logs-here',
    ]);
    const plan = r.plan();
    expect(plan.envs.map((e) => e.name)).toEqual(['e2e-docker']);
    const env = plan.envs[0]!;
    expect(env.targets).toEqual(['e2e/scenarios/smoke']);
    expect(env.timeouts).toEqual({ reset: 300, compose: 600, deploy: 9.5, test: 5 });
    expect(env.env.EXTRA).toBe('1');
    expect(env.env.WITH_EQ).toBe('a=b');
    expect(env.log).toBe(join(LEGACY_ROOT, 'logs-here', '.parallel-e2e-docker.log'));
  });

  it('--build-only and --test-only mark phases', async () => {
    expect((await cli(['run', '--build-only'])).plan().envs[0]!.phases.test).toBe('skip');
    expect((await cli(['run', '--test-only'])).plan().envs[0]!.phases.reset).toBe('skip');
  });

  it('--test-target with one env', async () => {
    const r = await cli(['run', '--env', 'e2e-docker', '--test-target', 'e2e/scenarios/smoke']);
    expect(r.plan().envs[0]!.targets).toEqual(['e2e/scenarios/smoke']);
  });

  it('--test-target with --test-only tests that target against what is up (as ESB runs it)', async () => {
    const r = await cli(['run', '--env', 'e2e-docker', '--test-only', '--test-target', 'e2e/scenarios/smoke']);
    expect(r.code).toBe(0);
    const env = r.plan().envs[0]!;
    expect(env.targets).toEqual(['e2e/scenarios/smoke']);
    expect([env.phases.reset, env.phases.compose, env.phases.deploy, env.phases.test]).toEqual(['skip', 'skip', 'skip', 'run']);
  });

  it('arguments after -- become plan.pytestArgs (flags there are not parsed)', async () => {
    const r = await cli(['run', '--env', 'e2e-docker', '--', '-k', 'gateway', '-x', '--jobs', 'zero']);
    expect(r.code).toBe(0);
    expect(r.plan().pytestArgs).toEqual(['-k', 'gateway', '-x', '--jobs', 'zero']);
  });

  it('--matrix picks another matrix file', async () => {
    const r = await cli(['run', '--matrix', join(LEGACY_ROOT, 'e2e', 'environments', 'test_matrix.yaml'), '--env', 'e2e-docker']);
    expect(r.plan().matrixFile).toBe(join(LEGACY_ROOT, 'e2e', 'environments', 'test_matrix.yaml'));
  });

  it('leaves io.env and process.env unchanged', async () => {
    const env = { HOME: '/home/tester', PATH: '/usr/bin', PORT_REGISTRY: '6001' };
    const envCopy = { ...env };
    const processCopy = { ...process.env };
    await cli(['run', '--set', 'A=1'], { env });
    expect(env).toEqual(envCopy);
    expect({ ...process.env }).toEqual(processCopy);
  });
});

describe('version and help', () => {
  it('--version prints the version and exits 0', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.run).not.toHaveBeenCalled();
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: esb-e2e');
    expect(r.stdout).toContain('run');
    expect(r.stdout).toContain('plan');
  });

  it('run --help lists the run options and exits 0', async () => {
    const r = await cli(['run', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--matrix', '--env', '--suite', '--jobs', '--shard', '--fail-fast', '--cleanup', '--keep-failed', '--test-target', '--timeout', '--set', '--reporter', '--color', '--report', '--junit', '--no-verbose', '--no-cache']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.run).not.toHaveBeenCalled();
  });
});

describe('the built executable (bin/esb-e2e.js)', () => {
  const exe = (args: string[], cwd = LEGACY_ROOT) =>
    spawnSync(process.execPath, [CLI, ...args], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: join(tmp, 'home'), LANG: 'C.UTF-8' },
      timeout: 30_000,
    });

  it('plan --env nope exits 2 naming the known envs', () => {
    const r = exe(['plan', '--env', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('esb-e2e: --env: unknown env "nope" (known: e2e-docker, e2e-containerd)\n');
  });

  it('--version prints the package version', () => {
    const r = exe(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${PKG_VERSION}\n`);
  });

  it('plan prints the legacy table', () => {
    const r = exe(['plan']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('matrix: e2e/environments/test_matrix.yaml');
    expect(r.stdout).toMatch(/^e2e-containerd +containerd /m);
  });

  it('plan --json through a pipe is complete JSON', () => {
    const r = exe(['plan', '--json']);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as { envs: unknown[] };
    expect(plan.envs).toHaveLength(2);
  });

  it('plan --github-matrix', () => {
    const r = exe(['plan', '--github-matrix']);
    expect(r.stdout).toBe('{"include":[{"env":"e2e-docker"},{"env":"e2e-containerd"}]}\n');
  });

  it('in CI, ESB_TAG uses GITHUB_SHA read at the edge', () => {
    const r = spawnSync(process.execPath, [CLI, 'plan', '--json'], {
      cwd: LEGACY_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: join(tmp, 'home'), CI: 'true', GITHUB_SHA: 'feedface0123456789abcdef0123456789abcdef' },
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as { envs: { name: string; env: Record<string, string> }[] };
    expect(plan.envs.map((e) => e.env.ESB_TAG)).toEqual(['e2e-e2e-docker-feedfac', 'e2e-e2e-containerd-feedfac']);
  });

  it('run --jobs 0 exits 2 before anything starts', () => {
    const r = exe(['run', '--jobs', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--jobs');
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a folder without a matrix exits 2 and says where it looked', () => {
    const r = exe(['plan'], tmp);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('e2e-matrix.yaml');
    expect(r.stderr).toContain('e2e/environments/test_matrix.yaml');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a bad matrix via --matrix exits 2 with the YAML path', () => {
    const r = exe(['plan', '--matrix', badMatrix], tmp);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('matrix[0].suites[0]: unknown suite "smok"');
  });
});
