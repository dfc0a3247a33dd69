// The runner end to end through the real CLI, with fake docker / esb / python3 first on
// PATH: command lines and env per phase, order, concurrency, fail-fast, timeouts,
// signals, and that every output line reaches the log.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, jsonl, makeProject, runCli, until, type Call, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const byEnv = (calls: Call[], env: string) => calls.filter((c) => c.env.ENV === env);
const argvOf = (c: Call) => c.argv.join(' ');

describe('one env, all phases', () => {
  it('runs reset, compose, deploy and test with the exact command lines, in order, with the env file on every compose command', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run'], { cwd: project.root, env: project.env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const calls = byEnv(project.calls(), 'alpha').filter((c) => !argvOf(c).includes('version'));
    const lines = calls.map((c) => `${c.tool} ${argvOf(c)}`);
    const compose = 'docker compose --project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env';
    expect(lines).toEqual([
      `${compose} down --volumes --remove-orphans`,
      'docker ps --all --quiet --filter label=com.docker.compose.project=esb-alpha',
      'docker network ls --quiet --filter label=com.docker.compose.project=esb-alpha',
      'docker volume ls --quiet --filter label=com.docker.compose.project=esb-alpha',
      // No compose file can build anything: no `config` call to check for missing images.
      `${compose} up --detach`,
      "docker ps --filter label=com.docker.compose.project=esb-alpha --format {{.Label \"com.docker.compose.service\"}}\t{{.Ports}}",
      'esb --env-file envs/alpha/.env --template template.yaml deploy --verbose --no-save-defaults --env alpha --mode docker',
      'docker inspect --format {{json .Config.Env}} esb-alpha-gateway',
      'python3 -m pytest tests -v --junitxml e2e/.junit-alpha.xml',
    ]);
    for (const c of calls) expect(c.cwd).toBe(project.root);
    expect(r.stdout).toContain('[alpha] reset start');
    expect(r.stdout).toContain(`[alpha] $ ${compose} up --detach`);
    expect(r.stdout).toMatch(/\[alpha\] test passed \(\d+\.\ds\)/);
    expect(r.stdout).toContain('[alpha] passed');
    expect(r.stdout).toContain('[suite] finished');
  });

  it('hands each phase the explicit env: deploy gets ESB_META_REUSE, pytest alone gets the URLs and the gateway variables', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--set', 'EXTRA=1'], { cwd: project.root, env: project.env({ FROM_BASE: 'yes', PORT_GATEWAY_HTTPS: '9999' }) });
    expect(r.code).toBe(0);
    const calls = byEnv(project.calls(), 'alpha');
    const up = calls.find((c) => argvOf(c).includes('up --detach'))!;
    const esb = calls.find((c) => c.tool === 'esb')!;
    const py = calls.find((c) => c.tool === 'python3')!;
    for (const c of [up, esb, py]) {
      expect(c.env.ENV).toBe('alpha');
      expect(c.env.PROJECT_NAME).toBe('esb-alpha');
      expect(c.env.FROM_ENV_FILE).toBe('alpha');
      expect(c.env.FROM_BASE).toBe('yes');
      expect(c.env.EXTRA).toBe('1');
      // The base env's PORT_GATEWAY_HTTPS does not pin the env's port (its block's first
      // port, 33000, or a block above it when that is busy on this machine).
      expect(Number(c.env.PORT_GATEWAY_HTTPS) % 20).toBe(0);
      expect(Number(c.env.PORT_GATEWAY_HTTPS)).toBeGreaterThanOrEqual(33000);
    }
    expect(esb.env.ESB_META_REUSE).toBe('1');
    expect(up.env.ESB_META_REUSE).toBeUndefined();
    expect(py.env.GATEWAY_URL).toBe(`https://localhost:${py.env.PORT_GATEWAY_HTTPS}`);
    expect(py.env.GATEWAY_PORT).toBe(py.env.PORT_GATEWAY_HTTPS);
    expect(esb.env.PORT_GATEWAY_HTTPS).toBe(py.env.PORT_GATEWAY_HTTPS);
    expect(py.env.CONTAINERS_NETWORK).toBe('fake-net');
    expect(py.env.GATEWAY_INTERNAL_URL).toBe('https://gateway:8443');
    expect(up.env.GATEWAY_URL).toBeUndefined();
    expect(esb.env.GATEWAY_URL).toBeUndefined();
    // The same generated credentials for every phase of the env.
    expect(esb.env.AUTH_PASS).toMatch(/^[0-9a-f]{32}$/);
    expect(py.env.AUTH_PASS).toBe(esb.env.AUTH_PASS);
    expect(up.env.X_API_KEY).toBe(py.env.X_API_KEY);
  });

  it('asks compose for the images it builds only when a compose file can build, and adds --build when one is missing', async () => {
    project = makeProject({ envs: ['alpha'] });
    writeFileSync(join(project.root, 'envs', 'alpha', 'docker-compose.yml'), 'services:\n  base:\n    image: my-base:latest\n    build: .\n');
    const r = await runCli(['run', '--no-verbose'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'docker|alpha| config|print=services:\\n  base:\\n    image: my-base:latest\\n    build: {context: .}\ndocker|alpha|image inspect|exit=1' }),
    });
    expect(r.code).toBe(0);
    const lines = project.calls().map((c) => `${c.tool} ${argvOf(c)}`);
    expect(lines).toContain('docker image inspect --format {{.Id}} my-base:latest');
    expect(lines.some((l) => l.endsWith(' up --detach --build'))).toBe(true);
  });

  it('uses docker-compose (v1) when `docker compose` is not available, and the matrix compose when given', async () => {
    project = makeProject({ envs: ['alpha'] });
    const v1 = await runCli(['run'], { cwd: project.root, env: project.env({ FAKE_NO_COMPOSE_V2: '1' }) });
    expect(v1.code).toBe(0);
    const ups = project.calls().filter((c) => argvOf(c).includes('up --detach'));
    expect(ups.map((c) => c.tool)).toEqual(['docker-compose']);
    expect(argvOf(ups[0]!)).toBe('--project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env up --detach');
  });

  it('captures ps and logs of the compose project into .compose.log when a phase after compose fails, and names it in the summary', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'esb|alpha|deploy|print=deploy exploded;exit=3\ndocker-compose|*|logs|print=gateway-1 | last words\ndocker|*|compose --project-name esb-alpha --file envs/alpha/docker-compose.yml --env-file envs/alpha/.env logs|print=gateway-1 | last words' }),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[alpha] deploy failed');
    expect(r.stdout).toContain('esb exited with code 3');
    const composeLog = join(project.logDir, '.parallel-alpha.compose.log');
    const text = readFileSync(composeLog, 'utf8');
    expect(text).toContain('ps --all');
    expect(text).toContain('logs --no-color --timestamps');
    expect(text).toContain('gateway-1 | last words');
    expect(r.stdout).toContain('e2e/.parallel-alpha.compose.log');
    // The summary ends with the failed env's log tail.
    expect(r.stdout).toMatch(/--- last \d+ lines of e2e\/\.parallel-alpha\.log ---[\s\S]*deploy exploded/);
  });

  it("keeps the capture out of the failure's tail: the tail ends with the failed phase, the capture is in the log and its file", async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--cleanup'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'esb|alpha|deploy|print=deploy exploded;exit=3\ndocker|*| logs |print=gateway-1 | last words' }),
    });
    expect(r.code).toBe(1);
    const tail = /--- last \d+ lines of e2e\/\.parallel-alpha\.log ---\n([\s\S]*?)\n---\n/.exec(r.stdout)?.[1]?.split('\n') ?? [];
    expect(tail.length).toBeGreaterThan(2);
    expect(tail.some((l) => l.includes('deploy exploded'))).toBe(true);
    expect(tail.at(-1)).toMatch(/<== deploy failed \(\d+\.\ds\): deploy template\.yaml: esb exited with code 3$/);
    for (const line of tail) {
      expect(line).not.toMatch(/docker-compose\.yml( --env-file \S+)? ps --all|logs --no-color|last words|==> cleanup/);
    }
    // The summary points at the capture in one line; the env's log has it all.
    expect(r.stdout.match(/containers' state and logs: e2e\/\.parallel-alpha\.compose\.log/g)).toHaveLength(1);
    const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
    expect(log).toContain('logs --no-color --timestamps');
    expect(log).toContain('gateway-1 | last words');
    expect(log.indexOf('gateway-1 | last words')).toBeGreaterThan(log.indexOf('deploy exploded'));
    expect(readFileSync(join(project.logDir, '.parallel-alpha.compose.log'), 'utf8')).toContain('gateway-1 | last words');
  });
});

describe('several envs', () => {
  it('runs envs concurrently under --jobs 2 and one at a time under --jobs 1', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const rules = 'python3|*|pytest|sleep=1';
    const r2 = await runCli(['run', '--jobs', '2', '--no-verbose'], { cwd: project.root, env: project.env({ FAKE_RULES: rules }) });
    expect(r2.code).toBe(0);
    const span = (calls: Call[], env: string) => {
      const mine = byEnv(calls, env);
      return { start: Math.min(...mine.map((c) => c.start)), end: Math.max(...mine.map((c) => c.end ?? c.start)) };
    };
    const a2 = span(project.calls(), 'alpha');
    const b2 = span(project.calls(), 'beta');
    expect(a2.start < b2.end && b2.start < a2.end).toBe(true);

    project.cleanup();
    project = makeProject({ envs: ['alpha', 'beta'] });
    const r1 = await runCli(['run', '--jobs', '1', '--no-verbose'], { cwd: project.root, env: project.env({ FAKE_RULES: rules }) });
    expect(r1.code).toBe(0);
    const a1 = span(project.calls(), 'alpha');
    const b1 = span(project.calls(), 'beta');
    expect(a1.end <= b1.start || b1.end <= a1.start).toBe(true);
  });

  it('--fail-fast cancels a running sibling at once: its process is killed and it ends cancelled', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const started = Date.now();
    const r = await runCli(['run', '--fail-fast', '--reporter', 'jsonl'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'esb|alpha|deploy|sleep=0.5;exit=1\nesb|beta|deploy|pidfile;sleep=30' }),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    const end = jsonl(r.stdout).find((e) => e.type === 'suite_end') as unknown as { result: { envs: { name: string; status: string }[] } };
    expect(end.result.envs.map((e) => [e.name, e.status])).toEqual([
      ['alpha', 'failed'],
      ['beta', 'cancelled'],
    ]);
    const pid = Number(readFileSync(join(project.fakeLog, 'pid-esb-beta'), 'utf8'));
    expect(isAlive(pid)).toBe(false);
    // A cancelled env is taken down.
    expect(project.calls().some((c) => c.env.ENV === 'beta' && argvOf(c).endsWith('down --volumes --remove-orphans') && c.start > 0)).toBe(true);
  });

  it('--fail-fast never starts a queued env', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const r = await runCli(['run', '--fail-fast', '--jobs', '1'], { cwd: project.root, env: project.env({ FAKE_RULES: 'esb|alpha|deploy|exit=1' }) });
    expect(r.code).toBe(1);
    expect(byEnv(project.calls(), 'beta')).toEqual([]);
    expect(r.stdout).toMatch(/beta\s+cancelled/);
  });

  it('a failing env does not stop the others without --fail-fast', async () => {
    project = makeProject({ envs: ['alpha', 'beta'] });
    const r = await runCli(['run', '--no-verbose'], { cwd: project.root, env: project.env({ FAKE_RULES: 'python3|alpha|pytest|print=t.py::test_x FAILED;exit=1' }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[alpha] test failed');
    expect(r.stdout).toContain('[beta] passed');
  });
});

describe('busy ports', () => {
  /** A listener on `port` on every interface, as a container publishing it would hold it. */
  const hold = async (port: number) => {
    const server = createServer();
    await new Promise<void>((r) => server.listen({ port, host: '0.0.0.0', exclusive: true }, r));
    return () => new Promise<void>((r) => server.close(() => r()));
  };
  /** A port the system just had free: the env's block starts there. */
  const freeBase = async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  };
  const portOf = (calls: Call[], match: string) => Number(calls.find((c) => argvOf(c).includes(match))!.env.PORT_GATEWAY_HTTPS);

  it('moves the env\'s automatic ports up a round when a planned one stays busy, and says so', async () => {
    const base = await freeBase();
    project = makeProject({ envs: ['alpha'], matrixExtra: `infra: false\nport_base: ${base}` });
    const release = await hold(base);
    try {
      const r = await runCli(['run'], { cwd: project.root, env: project.env() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('[alpha] # a planned port was busy: ports moved up 1 blocks');
      // One env, blocks of 20 ports: a round up is 20 ports up, for compose, esb and pytest alike.
      const calls = project.calls();
      expect([portOf(calls, 'up --detach'), portOf(calls, 'deploy'), portOf(calls, 'pytest')]).toEqual([base + 20, base + 20, base + 20]);
      const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
      expect(log).toContain(`# port ${base} in use during reset: checked again after compose down`);
    } finally {
      await release();
    }
  });

  it('keeps the planned ports when the one busy during reset is freed by its compose down', async () => {
    const base = await freeBase();
    project = makeProject({ envs: ['alpha'], matrixExtra: `infra: false\nport_base: ${base}` });
    const log = join(project.logDir, '.parallel-alpha.log');
    // The env's own container of an earlier run holds the port until compose down removes it.
    const release = await hold(base);
    const done = runCli(['run'], { cwd: project.root, env: project.env({ FAKE_RULES: 'docker|alpha| down |sleep=2' }) });
    try {
      await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('in use during reset'));
    } finally {
      await release();
    }
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('ports moved up');
    const calls = project.calls();
    expect(portOf(calls, 'up --detach')).toBe(base);
    expect(portOf(calls, 'pytest')).toBe(base);
  });
});

describe('timeouts, signals and output', () => {
  it('kills a hung phase at its timeout', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--timeout', 'deploy=1'], { cwd: project.root, env: project.env({ FAKE_RULES: 'esb|alpha|deploy|pidfile;sleep=30' }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[alpha] deploy failed');
    expect(r.stdout).toContain('timed out after 1s');
    const pid = Number(readFileSync(join(project.fakeLog, 'pid-esb-alpha'), 'utf8'));
    expect(isAlive(pid)).toBe(false);
  });

  it('SIGINT to the CLI: exit 130, no surviving child, summary printed, log closed', async () => {
    project = makeProject({ envs: ['alpha'] });
    const p = project;
    const r = await runCli(['run', '--no-verbose'], {
      cwd: p.root,
      env: p.env({ FAKE_RULES: 'python3|alpha|pytest|pidfile;sleep=30' }),
      onStart: (child) => {
        void until(() => {
          try {
            return readFileSync(join(p.fakeLog, 'pid-python3-alpha'), 'utf8').length > 0;
          } catch {
            return false;
          }
        }).then(() => child.kill('SIGINT'));
      },
    });
    expect(r.code).toBe(130);
    const pid = Number(readFileSync(join(p.fakeLog, 'pid-python3-alpha'), 'utf8'));
    expect(isAlive(pid)).toBe(false);
    expect(r.stdout).toContain('[alpha] cancelled');
    expect(r.stdout).toContain('[suite] finished (stopped by SIGINT)');
    expect(r.stdout).not.toContain('PASSED:');
    const log = readFileSync(join(p.logDir, '.parallel-alpha.log'), 'utf8');
    expect(log).toMatch(/# env alpha cancelled/);
  });

  it('keeps every line a child prints: 200,000 lines in the log, exactly', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--no-verbose'], { cwd: project.root, env: project.env({ FAKE_RULES: 'python3|alpha|pytest|lines=200000' }) });
    expect(r.code).toBe(0);
    const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
    const lines = log.split('\n').filter((l) => /^line \d+$/.test(l));
    expect(lines.length).toBe(200_000);
    expect(lines[199_999]).toBe('line 200000');
    // --no-verbose prints markers only.
    expect(r.stdout).not.toContain('line 1\n');
  });

  it('a missing program fails its env with one line naming it and its setting', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--no-verbose'], { cwd: project.root, env: project.env({ ESB_CLI: 'esb-missing-here' }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('esb-missing-here: command not found (set ESB_CLI in the env or matrix `esb`, or put it on PATH)');
  });
});

describe('a log that cannot be written', () => {
  it('fails only that env, with the reason, when its log hits a full disk mid-run', async () => {
    project = makeProject({ envs: ['beta', 'alpha'] });
    const logDir = join(project.root, 'tiny');
    execFileSync('mkdir', ['-p', logDir]);
    // A 256 KiB file system: beta's small log fits, alpha's flood does not.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', logDir]);
    try {
      const r = await runCli(['run', '--jobs', '1', '--no-verbose', '--log-dir', logDir], {
        cwd: project.root,
        env: project.env({ FAKE_RULES: 'python3|alpha|pytest|lines=100000' }),
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('[beta] passed');
      expect(r.stdout).toMatch(/\[alpha\] test failed \([\d.]+s\): cannot write its log .*\.parallel-alpha\.log: ENOSPC/);
    } finally {
      execFileSync('umount', [logDir]);
    }
  });
});

describe('bad input starts nothing', () => {
  const cases: [string, string[], (p: Project) => void, RegExp][] = [
    ['a malformed flag', ['run', '--jobs', '0'], () => undefined, /--jobs <n>' argument '0' is invalid/],
    ['an unknown env', ['run', '--env', 'gamma'], () => undefined, /--env: unknown env "gamma" \(known: alpha, beta\)/],
    ['conflicting flags', ['run', '--build-only', '--test-only'], () => undefined, /--build-only and --test-only cannot be used together/],
    [
      'a broken matrix',
      ['run'],
      (p) => writeFileSync(join(p.root, 'e2e-matrix.yaml'), 'suites: {smoke: {targets: [tests/]}}\nmatrix:\n  - env: Bad/Name\n    suites: [smoke]\n'),
      /e2e-matrix\.yaml:3:10: matrix\[0\]\.env: must match/,
    ],
    [
      'a missing env file',
      ['run'],
      (p) => writeFileSync(join(p.root, 'e2e-matrix.yaml'), 'suites: {smoke: {targets: [tests/]}}\ninfra: false\nmatrix:\n  - env: alpha\n    env_dir: envs/alpha\n    env_file: envs/alpha/missing.env\n    suites: [smoke]\n    deploy_templates: [template.yaml]\n'),
      /matrix\[0\]\.env_file: env file not found/,
    ],
  ];
  for (const [what, args, breakIt, message] of cases) {
    it(`${what}: exit 2, one message, no process, no log`, async () => {
      project = makeProject({ envs: ['alpha', 'beta'] });
      breakIt(project);
      const r = await runCli(args, { cwd: project.root, env: project.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
      expect(project.calls()).toEqual([]);
      expect(existsSync(project.logDir)).toBe(false);
    });
  }
});

describe('odd output', () => {
  it('UTF-8 beside ASCII reaches the console and the log as UTF-8', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'python3|alpha|pytest|print=plain ascii\\ncaf\\0303\\0251 \\0342\\0230\\0203\\nascii again' }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[alpha] plain ascii\n[alpha] caf\u00e9 \u2603\n[alpha] ascii again\n');
    const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
    expect(log).toContain('plain ascii\ncaf\u00e9 \u2603\nascii again\n');
  });

  it('a 10 MB line without a newline and invalid UTF-8 pass through into the log, cut into 64 KiB pieces', async () => {
    project = makeProject({ envs: ['alpha'] });
    const r = await runCli(['run', '--no-verbose'], {
      cwd: project.root,
      env: project.env({ FAKE_RULES: 'python3|alpha|pytest|print=bad \\0377\\0376 bytes;bigline=10485760' }),
    });
    expect(r.code).toBe(0);
    const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
    expect(log).toContain('bad \ufffd\ufffd bytes');
    const pieces = log.split('\n').filter((l) => /^x+$/.test(l));
    expect(pieces.reduce((n, l) => n + l.length, 0)).toBe(10 * 1024 * 1024);
    expect(Math.max(...pieces.map((l) => l.length))).toBe(64 * 1024);
  });
});
