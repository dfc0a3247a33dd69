// Helpers of the esb-e2e benchmark: a scratch workspace, throwaway projects wired to the
// fast fake tools (bench/fake-tool.sh) and to an idle fake Docker engine API, running the
// built CLI and shell snippets with timing, the fakes' call records, and small statistics.
import { spawn } from 'node:child_process';
import { serveIdleEngine } from '../scripts/idle-engine.mjs';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI under test: this repo's build, or another checkout's with BENCH_REPO=<dir> (A/B runs). */
export const TARGET = resolve(process.env.BENCH_REPO || REPO);
/** The executable every measurement runs: a snapshot of TARGET's build once `snapshotCli` ran. */
export let CLI = join(TARGET, 'bin', 'esb-e2e.js');

/**
 * Copies TARGET's built CLI (bin/, dist/ with its code cache, package.json; the bundle needs
 * nothing else) into the workspace and measures that copy, so a rebuild of the checkout while
 * the bench runs (`npm test` builds too) cannot change the program halfway through.
 */
export function snapshotCli(ws) {
  const dir = ws.path('cli');
  for (const part of ['bin', 'dist']) cpSync(join(TARGET, part), join(dir, part), { recursive: true });
  cpSync(join(TARGET, 'package.json'), join(dir, 'package.json'));
  CLI = join(dir, 'bin', 'esb-e2e.js');
  return CLI;
}
export const PROBE = join(REPO, 'bench', 'probe.cjs');
export const FAKE = join(REPO, 'bench', 'fake-tool.sh');
export const TOOLS = ['docker', 'compose', 'esb', 'python3'];
export const PHASES = ['reset', 'compose', 'deploy', 'test'];

/** One scratch folder for the whole run; `cleanup()` removes it. */
export class Workspace {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'esb-e2e-bench-'));
  }

  path(...parts) {
    return join(this.dir, ...parts);
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An engine with nothing in it, on a unix socket in the workspace (scripts/idle-engine.mjs),
 * so runs do not depend on whether this machine has a dockerd. `requests` counts.
 */
export async function startEngine(ws) {
  const socket = ws.path('docker.sock');
  const engine = await serveIdleEngine(socket);
  return { host: `unix://${socket}`, ...engine };
}

/**
 * A project with `envs` (names), no infra, the fake compose from the matrix and the other
 * fakes first on PATH. HOME is inside the project, so reset wipes nothing outside it.
 * With `engine` (startEngine), runs ask it through DOCKER_HOST; `ESB_E2E_DOCKER_API: '0'`
 * in `env()` sends those questions to the fake docker CLI instead.
 */
export function makeProject(ws, name, envs, { portBase = 46000, engine } = {}) {
  const root = ws.path(name);
  const bin = join(root, 'bin');
  const home = join(root, 'home');
  for (const dir of [bin, home, join(root, 'tests')]) mkdirSync(dir, { recursive: true });
  chmodSync(FAKE, 0o755);
  for (const tool of TOOLS) symlinkSync(FAKE, join(bin, tool));
  writeFileSync(join(root, 'tests', 'test_bench.py'), 'def test_one():\n    pass\n');
  writeFileSync(join(root, 'template.yaml'), 'Resources: {}\n');
  const lines = ['suites:', '  smoke:', '    targets: [tests/]', 'infra: false', `compose: [${join(bin, 'compose')}]`, `port_base: ${portBase}`, 'matrix:'];
  for (const env of envs) {
    mkdirSync(join(root, 'envs', env), { recursive: true });
    writeFileSync(join(root, 'envs', env, 'docker-compose.yml'), 'services: {}\n');
    lines.push(`  - env: ${env}`, `    env_dir: envs/${env}`, '    suites: [smoke]', '    deploy_templates: [template.yaml]');
  }
  writeFileSync(join(root, 'e2e-matrix.yaml'), lines.join('\n') + '\n');
  return {
    root,
    bin,
    logDir: join(root, 'e2e'),
    log: (env) => join(root, 'e2e', `.parallel-${env}.log`),
    /** The CLI's whole environment (nothing else leaks in from the bench's own). */
    env: (extra = {}) => ({
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: home,
      LANG: 'C.UTF-8',
      TMPDIR: tmpdir(),
      ...(engine ? { DOCKER_HOST: engine.host } : {}),
      ...extra,
    }),
  };
}

/**
 * Runs the built CLI. `stdout`: 'ignore' (a pipe drained and dropped) or 'collect'.
 * `probe`: preload bench/probe.cjs (own CPU time and VmHWM, written to a file).
 * Returns the exit code, the wall time from spawn to exit (ms), Date.now() at exit.
 */
export function runCli(args, { cwd, env, stdout = 'ignore', probe = false, ws }) {
  const probeOut = probe ? ws.path(`probe-${process.hrtime.bigint()}.json`) : undefined;
  const argv = probe ? ['--require', PROBE, CLI, ...args] : [CLI, ...args];
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argv, {
      cwd,
      env: probe ? { ...env, BENCH_PROBE_OUT: probeOut } : env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout === 'collect') chunks.push(d);
    });
    child.stderr.on('data', (d) => (stderr += d));
    let exit;
    child.on('exit', (code, signal) => (exit = { code, signal, wallMs: performance.now() - t0, exitAt: Date.now() }));
    child.on('error', reject);
    child.on('close', () => {
      let probed = null;
      if (probeOut && existsSync(probeOut)) probed = JSON.parse(readFileSync(probeOut, 'utf8').trim().split('\n').pop());
      resolvePromise({ ...exit, pid: child.pid, stdout: Buffer.concat(chunks).toString('utf8'), stderr, probe: probed });
    });
  });
}

/** Runs a bash script; resolves with its stdout, stderr, exit code and wall time (ms). */
export function bash(script, { env, cwd } = {}) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn('/bin/bash', ['-c', script], { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout: out, stderr: err, wallMs: performance.now() - t0 }));
  });
}

/** The fakes' records (BENCH_REC): one per call, sorted by start time (seconds, float). */
export function readRecords(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tool, env, start, end, args] = line.split('\t');
      return { tool, env, start: Number(start), end: Number(end), args: args.trimEnd() };
    })
    .sort((a, b) => a.start - b.start);
}

/** Which pipeline phase issued a recorded call (by its command line). */
export function phaseOf(rec) {
  const a = ` ${rec.args} `;
  switch (rec.tool) {
    case 'compose':
      return a.includes(' down ') ? 'reset' : 'compose';
    case 'esb':
      return 'deploy';
    case 'python3':
      return 'test';
    case 'docker':
      if (a.startsWith(' inspect ')) return 'test';
      if (a.startsWith(' ps ') && a.includes(' --format ')) return 'compose';
      return 'reset';
    default:
      return 'other';
  }
}

/**
 * Replays recorded calls from shell loops: one bash script per env (its calls in their
 * order, same program, argv and $ENV), run `jobs` at a time like the runner's scheduling
 * (`xargs -P`). Resolves with the elapsed ms. This is what the calls themselves cost on
 * this machine when nothing but a shell drives them.
 */
export async function replay(records, { bin, jobs, dir, env, cwd }) {
  const byEnv = new Map();
  for (const r of records) byEnv.set(r.env, [...(byEnv.get(r.env) ?? []), r]);
  const scripts = [];
  for (const [name, calls] of byEnv) {
    const file = join(dir, `replay-${name}.sh`);
    writeFileSync(file, calls.map((r) => `ENV=${r.env} ${bin}/${r.tool} ${r.args} >/dev/null 2>&1`).join('\n') + '\n');
    scripts.push(file);
  }
  const list = join(dir, 'replay-list');
  writeFileSync(list, scripts.join('\n') + '\n');
  const r = await bash(`t0=$EPOCHREALTIME; xargs -P ${jobs} -n 1 bash < ${list}; t1=$EPOCHREALTIME; echo "$t0 $t1"`, { env, cwd });
  const [t0, t1] = r.stdout.trim().split(' ').map(Number);
  return (t1 - t0) * 1000;
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** `12.3` with a fixed number of decimals, or `n/a`. */
export function fmt(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** Is a pid still a live process (not gone, not a zombie)? */
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
