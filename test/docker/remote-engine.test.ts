// An env with `docker_host` runs on that engine: here a second dockerd on its own unix
// socket. Its compose project, deploy and tests go there; the local engine sees nothing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const REPO = resolve(__dirname, '..', '..');
const FIXTURE = join(__dirname, 'remote');
const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-engine2-'));
const sock = join(dir, 'docker.sock');
const host = `unix://${sock}`;
const project = 'esb-remote-one';
// The second daemon's own default bridge: with `--bridge none` dockerd would delete the
// host's docker0, which belongs to the first daemon.
const BRIDGE = 'esbe2e2br0';
let daemon: ChildProcess | undefined;

const localEnv = () => {
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  return env as Record<string, string>;
};
const docker = (args: string[], engine?: string) =>
  execFileSync('docker', engine ? ['-H', engine, ...args] : args, { env: localEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function cli(args: string[]): { code: number; stdout: string } {
  try {
    const stdout = execFileSync(process.execPath, [join(REPO, 'bin', 'esb-e2e.js'), ...args], { cwd: REPO, env: localEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, stdout: e.stdout };
  }
}

beforeAll(async () => {
  docker(['info', '--format', '{{.ServerVersion}}']);
  mkdirSync(join(dir, 'data'));
  execFileSync('sh', ['-c', `ip link del ${BRIDGE} 2>/dev/null; ip link add ${BRIDGE} type bridge && ip addr add 172.31.250.1/24 dev ${BRIDGE} && ip link set ${BRIDGE} up`]);
  const log = openSync(join(dir, 'dockerd.log'), 'w');
  daemon = spawn(
    'dockerd',
    ['--host', host, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
      '--bridge', BRIDGE, '--iptables=false', '--containerd-namespace', 'esbe2e2', '--containerd-plugins-namespace', 'esbe2e2p'],
    { stdio: ['ignore', log, log] },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      docker(['info', '--format', '{{.ServerVersion}}'], host);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the second dockerd did not answer on ${sock}; see ${join(dir, 'dockerd.log')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  execFileSync('sh', ['-c', `docker save busybox:1.36 | docker -H ${host} load -q`], { env: localEnv(), stdio: 'ignore' });
  const matrix = [
    'suites:',
    `  remote: { targets: ["${FIXTURE}/tests/"] }`,
    'infra: false',
    `esb: ${FIXTURE}/esb`,
    'matrix:',
    '  - env: remote-one',
    `    env_dir: ${FIXTURE}`,
    '    suites: [remote]',
    `    deploy_templates: ["${FIXTURE}/template.yaml"]`,
    `    docker_host: ${host}`,
    '    wait: [{ url: "http://127.0.0.1:${PORT_GATEWAY_HTTP}/health", timeout: 30 }]',
  ].join('\n');
  writeFileSync(join(dir, 'matrix.yaml'), matrix + '\n');
}, 120_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const left = docker(['ps', '-aq'], host).split('\n').filter(Boolean);
    if (left.length) docker(['rm', '-f', ...left], host);
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  execFileSync('sh', ['-c', `ip link del ${BRIDGE} 2>/dev/null || true`]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('runs the env on its own engine: compose project, deploy and pytest there, nothing on the local engine', () => {
  // The first daemon keeps its own bridge.
  expect(execFileSync('ip', ['link', 'show', 'docker0'], { encoding: 'utf8' })).toContain('docker0');
  const plan = cli(['plan', '--matrix', join(dir, 'matrix.yaml')]);
  expect(plan.code).toBe(0);
  // The env's own block names the engine it runs on.
  expect(plan.stdout).toMatch(new RegExp(`\\n  docker +host ${host.replace(/[/.]/g, '\\$&')}\\n`));

  const run = cli(['run', '--matrix', join(dir, 'matrix.yaml'), '--log-dir', join(dir, 'logs')]);
  expect(run.stdout).toContain('[remote-one] passed');
  expect(run.stdout).toContain(`deploy sees DOCKER_HOST=${host}`);
  expect(run.stdout).toContain('deploy found esb-remote-one-gateway on the env\'s engine');
  expect(run.code, run.stdout).toBe(0);
  const label = `label=com.docker.compose.project=${project}`;
  expect(docker(['ps', '-a', '--filter', label, '--format', '{{.Names}}'], host)).toBe('esb-remote-one-gateway');
  expect(docker(['ps', '-a', '--filter', label, '--format', '{{.Names}}'])).toBe('');
  // The read-only questions went to that engine's API, over its socket.
  const log = readFileSync(join(dir, 'logs', '.parallel-remote-one.log'), 'utf8');
  expect(log).toContain(`# left with com.docker.compose.project=${project} (${host}): nothing`);
  expect(log).toContain(`# env of esb-remote-one-gateway (${host}): `);
  expect(log).not.toContain('asking the docker CLI');

  const again = cli(['run', '--matrix', join(dir, 'matrix.yaml'), '--log-dir', join(dir, 'logs'), '--cleanup', '--no-verbose']);
  expect(again.code, again.stdout).toBe(0);
  expect(docker(['ps', '-a', '--filter', label, '--format', '{{.Names}}'], host)).toBe('');
  expect(docker(['network', 'ls', '--filter', label, '--format', '{{.Name}}'], host)).toBe('');
});
