// A throwaway project for integration tests: a matrix, env dirs, compose files, a
// template and a tests folder, run with the fake docker/esb/python3 first on PATH.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const FAKES = join(REPO, 'test', 'fakes', 'bin');
export const CLI = join(REPO, 'bin', 'esb-e2e.js');

export interface Call {
  tool: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  start: number;
  end: number | undefined;
  id: string;
}

export interface ProjectOptions {
  envs?: string[];
  /** Extra top-level matrix YAML (e.g. `infra: false`). */
  matrixExtra?: string;
  /** Extra YAML appended to every env entry (indented by the helper). */
  envExtra?: string;
  envFile?: string;
}

export interface Project {
  root: string;
  logDir: string;
  fakeLog: string;
  home: string;
  env(extra?: Record<string, string>): Record<string, string>;
  calls(): Call[];
  cleanup(): void;
}

export function makeProject(options: ProjectOptions = {}): Project {
  const root = mkdtempSync(join(tmpdir(), 'esb-e2e-test-'));
  const envs = options.envs ?? ['alpha', 'beta'];
  const fakeLog = join(root, '.fake-log');
  const home = join(root, '.home');
  mkdirSync(fakeLog, { recursive: true });
  mkdirSync(home, { recursive: true });
  mkdirSync(join(root, 'tests'), { recursive: true });
  writeFileSync(join(root, 'tests', 'test_a.py'), 'def test_one():\n    pass\n');
  writeFileSync(join(root, 'template.yaml'), 'Resources: {}\n');
  for (const env of envs) {
    mkdirSync(join(root, 'envs', env), { recursive: true });
    writeFileSync(join(root, 'envs', env, 'docker-compose.yml'), 'services: {}\n');
    writeFileSync(join(root, 'envs', env, '.env'), options.envFile ?? `FROM_ENV_FILE=${env}\nPORT_GATEWAY_HTTPS=0\n`);
  }
  const extra = (options.envExtra ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l}`)
    .join('\n');
  const matrix = [
    'suites:',
    '  smoke:',
    '    targets: [tests/]',
    options.matrixExtra ?? 'infra: false',
    'matrix:',
    ...envs.flatMap((env) => [`  - env: ${env}`, `    env_dir: envs/${env}`, '    suites: [smoke]', '    deploy_templates: [template.yaml]', ...(extra ? [extra] : [])]),
  ].join('\n');
  writeFileSync(join(root, 'e2e-matrix.yaml'), matrix + '\n');
  return {
    root,
    logDir: join(root, 'e2e'),
    fakeLog,
    home,
    env: (more = {}) => ({
      PATH: `${FAKES}:${process.env.PATH}`,
      HOME: home,
      FAKE_LOG: fakeLog,
      LANG: 'C.UTF-8',
      // The fakes stand in for the docker CLI; a real engine on this machine must not answer.
      ESB_E2E_DOCKER_API: '0',
      ...more,
    }),
    calls: () => readCalls(fakeLog),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A call as one line: the tool, then its arguments. */
export const joined = (c: Call) => [c.tool, ...c.argv].join(' ');

export function readCalls(dir: string): Call[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const p = join(dir, d.name);
      const read = (f: string) => (existsSync(join(p, f)) ? readFileSync(join(p, f), 'utf8') : '');
      const env: Record<string, string> = {};
      for (const kv of read('env').split('\0').filter(Boolean)) {
        const eq = kv.indexOf('=');
        env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const end = read('end').trim();
      return {
        id: d.name,
        tool: read('tool').trim(),
        argv: read('argv').split('\0').slice(0, -1),
        cwd: read('cwd').trim(),
        env,
        start: Number(read('start').trim()) / 1e6,
        end: end ? Number(end) / 1e6 : undefined,
      };
    })
    .sort((a, b) => a.start - b.start);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a child process. */
export function runCli(args: string[], opts: { cwd: string; env: Record<string, string>; onStart?: (child: ChildProcess) => void }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    opts.onStart?.(child);
  });
}

export function isAlive(pid: number): boolean {
  // 0 (an empty pid file read too early) would ask about this process group: always alive.
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`isAlive: not a process id: ${pid}`);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Wait (polling a file, test-only) until `check` is true or the deadline passes. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function jsonl(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });
}
