// Helpers of the real-Docker suite (`npm run test:docker`): run the real CLI on the demo
// project (examples/demo), read its jsonl or plain output, write throwaway matrices, and
// look at what Docker really has (containers, networks, volumes by compose label) and at
// the processes left on the machine. Nothing here fakes Docker.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import type { EnvResult, SuiteResult } from '../../src/events';
import type { JsonlEvent as RunEvent } from '../../src/report/jsonl';

export type { EnvResult, RunEvent, SuiteResult };

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'esb-e2e.js');
export const DEMO = join(ROOT, 'examples', 'demo');
export const FIXTURES = join(__dirname, 'fixtures');
/** Throwaway matrices and log dirs of this suite (to be gitignored: test/docker/.tmp/). */
export const TMP = join(__dirname, '.tmp');
/** The shipped example matrix: demo-alpha and demo-beta. */
export const SHIPPED_MATRIX = join(ROOT, 'e2e-matrix.yaml');
export const INFRA_PROJECT = 'esb-infra';
/** Where the CLI's shared registry answers (PORT_REGISTRY, else 5010, as the CLI decides). */
export const REGISTRY_URL = `http://127.0.0.1:${process.env.PORT_REGISTRY || 5010}/v2/`;
export const REGISTRY_CONTAINER = 'esb-infra-registry';
/** Compose projects this suite may create (the demo's envs, its own `dkt-*` envs, the registry). */
const OUR_PROJECTS = /^(esb-demo-[a-z0-9_-]+|esb-dkt-[a-z0-9_-]+|esb-infra)$/;
const PROJECT_LABEL = 'com.docker.compose.project';

export const project = (env: string) => `esb-${env}`;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ processes

export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell), never throws: the exit code tells. */
export function run(file: string, args: readonly string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<Exec> {
  return new Promise((resolvePromise) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? String(error.message) : '') });
      },
    );
  });
}

/** `docker ...`; throws with docker's own message when it fails. */
export async function docker(...args: string[]): Promise<string> {
  const r = await run('docker', args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

// ------------------------------------------------------------------ set-up

let dockerAnswered = false;

/** Fails (never skips) when no Docker engine answers, CI or not. */
export async function requireDocker(): Promise<void> {
  const r = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
  if (r.code !== 0 || !r.stdout.trim()) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`Docker engine not answering: start dockerd (\`docker info\` failed: ${why || `exit ${r.code}`})`);
  }
  const compose = await run('docker-compose', ['version', '--short']);
  const composeV2 = await run('docker', ['compose', 'version', '--short']);
  if (compose.code !== 0 && composeV2.code !== 0) {
    throw new Error('neither `docker compose` nor `docker-compose` answers: install one of them');
  }
  dockerAnswered = true;
}

/** The CLI runs from dist/: (re)build it when it is missing or older than src/. */
export async function ensureBuilt(): Promise<void> {
  const bundle = join(ROOT, 'dist', 'esb-e2e.cjs');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(ROOT, 'src'))) return;
  const r = await run(process.execPath, ['scripts/build.mjs']);
  if (r.code !== 0) throw new Error(`building the CLI failed:\n${r.stdout}${r.stderr}`);
}

/** busybox:1.36 and registry:2, made locally (a no-op when present). */
export async function ensureDemoImages(): Promise<void> {
  const r = await run('bash', ['scripts/make-demo-images.sh'], { timeoutMs: 280_000 });
  if (r.code !== 0) throw new Error(`scripts/make-demo-images.sh failed (${r.code}):\n${r.stdout}${r.stderr}`);
}

/** Everything a test file needs before its first run; the machine starts clean. */
export async function prepare(): Promise<void> {
  await requireDocker();
  await ensureBuilt();
  await ensureDemoImages();
  await stopOurClis();
  await teardownAll();
}

// ------------------------------------------------------------------ Docker state

export interface ContainerInfo {
  name: string;
  state: string;
  status: string;
  ports: string;
  project: string;
  service: string;
  networks: string[];
}

export async function containersOf(projectName: string): Promise<ContainerInfo[]> {
  const format = ['{{.Names}}', '{{.State}}', '{{.Status}}', '{{.Ports}}', `{{.Label "${PROJECT_LABEL}"}}`, '{{.Label "com.docker.compose.service"}}', '{{.Networks}}'].join('\t');
  const out = await docker('ps', '--all', '--no-trunc', '--filter', `label=${PROJECT_LABEL}=${projectName}`, '--format', format);
  return lines(out).map((line) => {
    const [name = '', state = '', status = '', ports = '', proj = '', service = '', networks = ''] = line.split('\t');
    return { name, state, status, ports, project: proj, service, networks: networks.split(',').filter(Boolean) };
  });
}

export async function networksOf(projectName: string): Promise<string[]> {
  return lines(await docker('network', 'ls', '--filter', `label=${PROJECT_LABEL}=${projectName}`, '--format', '{{.Name}}')).sort();
}

export async function volumesOf(projectName: string): Promise<string[]> {
  return lines(await docker('volume', 'ls', '--filter', `label=${PROJECT_LABEL}=${projectName}`, '--format', '{{.Name}}')).sort();
}

/** What a compose project still owns: containers, networks and volumes by label. */
export async function leftovers(projectName: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const [containers, networks, volumes] = await Promise.all([containersOf(projectName), networksOf(projectName), volumesOf(projectName)]);
  return { containers: containers.map((c) => c.name).sort(), networks, volumes };
}

export async function networkSubnets(network: string): Promise<string[]> {
  const out = await docker('network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', network);
  return out.split(/\s+/).filter(Boolean);
}

/** Named volumes mounted by a container. */
export async function volumesMountedBy(container: string): Promise<string[]> {
  const out = await docker('inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', container);
  return out.split(/\s+/).filter(Boolean).sort();
}

/** Host ports a container publishes, from `docker ps` (`0.0.0.0:33001->8080/tcp, ...`). */
export function hostPorts(ports: string): number[] {
  return [...new Set([...ports.matchAll(/:(\d+)->/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

/** Host port published for a container port of a container (`docker port`). */
export async function publishedPort(container: string, containerPort: number): Promise<number> {
  const out = await docker('port', container, `${containerPort}/tcp`);
  const m = /:(\d+)\s*$/m.exec(out);
  if (!m) throw new Error(`${container} publishes no host port for ${containerPort}: ${out}`);
  return Number(m[1]);
}

export async function exitCodeOf(container: string): Promise<number> {
  return Number((await docker('inspect', '--format', '{{.State.ExitCode}}', container)).trim());
}

/** Compose projects (of this suite's kind) that own anything at all right now. */
export async function ourProjectsPresent(): Promise<string[]> {
  const format = `{{.Label "${PROJECT_LABEL}"}}`;
  const [c, n, v] = await Promise.all([
    docker('ps', '--all', '--filter', `label=${PROJECT_LABEL}`, '--format', format),
    docker('network', 'ls', '--filter', `label=${PROJECT_LABEL}`, '--format', format),
    docker('volume', 'ls', '--filter', `label=${PROJECT_LABEL}`, '--format', format),
  ]);
  return [...new Set(lines(c + '\n' + n + '\n' + v))].filter((p) => OUR_PROJECTS.test(p)).sort();
}

/**
 * Takes down every compose project of the demo and of this suite (esb-demo-*, esb-dkt-*)
 * and the shared registry (esb-infra), by label: containers first (the registry with
 * them, so no network is still in use), then networks, then volumes. Robust to half-made
 * state: no compose file is needed, and a failure is retried once before it is reported.
 */
/** What `leftovers` finds for a project that is fully gone. */
export const nothingLeft = { containers: [], networks: [], volumes: [] };

/**
 * The hooks of a file whose tests each start their own CLI runs: the engine and images
 * ready before, no CLI of ours left after each test, everything of the suite gone after.
 */
export function eachTestRunsItsOwnClis(): void {
  beforeAll(prepare);
  afterEach(() => stopOurClis());
  afterAll(teardownAll);
}

export async function teardownAll(): Promise<void> {
  // Without an engine there is nothing to take down (and the real error is already reported).
  if (!dockerAnswered) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await teardownOnce();
      const left = await ourProjectsPresent();
      if (left.length === 0) return;
      throw new Error(`still present after teardown: ${left.join(', ')}`);
    } catch (error) {
      if (attempt >= 2) throw error;
      await sleep(1000);
    }
  }
}

async function teardownOnce(): Promise<void> {
  const labelled = async (kind: 'ps' | 'network' | 'volume') => {
    const args =
      kind === 'ps'
        ? ['ps', '--all', '--filter', `label=${PROJECT_LABEL}`, '--format', `{{.ID}}\t{{.Label "${PROJECT_LABEL}"}}`]
        : [kind, 'ls', '--filter', `label=${PROJECT_LABEL}`, '--format', `{{.Name}}\t{{.Label "${PROJECT_LABEL}"}}`];
    return lines(await docker(...args))
      .map((l) => l.split('\t'))
      .filter(([, p]) => p !== undefined && OUR_PROJECTS.test(p))
      .map(([id]) => id!);
  };
  const containers = await labelled('ps');
  if (containers.length) await docker('rm', '--force', '--volumes', ...containers);
  // Networks named like ours but not labelled (made by hand) go too.
  const named = lines(await docker('network', 'ls', '--format', '{{.Name}}')).filter((n) => /^esb-(demo|dkt)-[a-z0-9_-]+-external$/.test(n));
  const networks = [...new Set([...(await labelled('network')), ...named])];
  for (const network of networks) {
    const attached = lines(await docker('network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', network).catch(() => ''));
    for (const c of attached.flatMap((l) => l.split(' ')).filter(Boolean)) {
      await run('docker', ['network', 'disconnect', '--force', network, c]);
    }
    await run('docker', ['network', 'rm', network]);
  }
  const volumes = await labelled('volume');
  if (volumes.length) await run('docker', ['volume', 'rm', '--force', ...volumes]);
  // The demo's deploy CLI makes a helper container per function (`docker create`, no compose
  // label); a deploy cancelled at the wrong moment can leave one behind, with its image.
  const helpers = lines(await docker('ps', '--all', '--filter', 'label=esb.demo.env', '--format', '{{.ID}}\t{{.Label "esb.demo.env"}}'))
    .map((l) => l.split('\t'))
    .filter(([, env]) => env !== undefined && /^(demo|dkt)-/.test(env))
    .map(([id]) => id!);
  if (helpers.length) await run('docker', ['rm', '--force', ...helpers]);
  const images = lines(await docker('image', 'ls', '--quiet', '--filter', 'label=esb.demo.function', '--filter', 'dangling=true'));
  if (images.length) await run('docker', ['image', 'rm', '--force', ...new Set(images)]);
}

// ------------------------------------------------------------------ host processes

export interface Proc {
  pid: number;
  args: string;
}

/** Processes (other than this test process) whose command line mentions any needle. */
export async function processesMentioning(needles: readonly string[]): Promise<Proc[]> {
  const r = await run('ps', ['-eo', 'pid=,args=']);
  if (r.code !== 0) throw new Error(`ps failed: ${r.stderr}`);
  return lines(r.stdout)
    .map((l) => {
      const m = /^(\d+)\s+(.*)$/.exec(l);
      return m ? { pid: Number(m[1]), args: m[2]! } : undefined;
    })
    .filter((p): p is Proc => !!p && p.pid !== process.pid && needles.some((n) => p.args.includes(n)));
}

/** How command lines name a folder: absolute, or relative to the repository root (as the CLI shows paths). */
export function mentionsOf(dir: string): string[] {
  return [dir, relative(ROOT, dir)];
}

/** The process tree under a pid (children, grandchildren...), from one `ps` snapshot. */
export async function descendantsOf(pid: number): Promise<Proc[]> {
  const r = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  const all = lines(r.stdout).flatMap((l) => {
    const m = /^(\d+)\s+(\d+)\s+(.*)$/.exec(l);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }] : [];
  });
  const found: Proc[] = [];
  const walk = (parent: number) => {
    for (const p of all.filter((x) => x.ppid === parent)) {
      found.push({ pid: p.pid, args: p.args });
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

/**
 * Those of `procs` still running: same pid and one of the command lines seen for it (a
 * process may exec, e.g. a pyenv shim into python; a reused pid does not count).
 */
export async function stillRunning(procs: readonly Proc[]): Promise<Proc[]> {
  const r = await run('ps', ['-eo', 'pid=,args=']);
  const now = new Map(
    lines(r.stdout).flatMap((l) => {
      const m = /^(\d+)\s+(.*)$/.exec(l);
      return m ? [[Number(m[1]), m[2]!] as const] : [];
    }),
  );
  const alive = procs.filter((p) => now.get(p.pid) === p.args);
  return [...new Map(alive.map((p) => [p.pid, p])).values()];
}

// ------------------------------------------------------------------ probing a URL

export interface Probe {
  at: number;
  ok: boolean;
  what: string;
}

/** One GET on a fresh connection (no keep-alive: a reused socket would hide a refused port). */
export function probeOnce(url: string, timeoutMs = 1000): Promise<Probe> {
  const at = Date.now();
  return new Promise((resolvePromise) => {
    const req = httpGet(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise({ at, ok: res.statusCode === 200, what: `HTTP ${res.statusCode}` }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolvePromise({ at, ok: false, what: e.code ?? e.message }));
  });
}

/** GETs `url` again and again (every `everyMs`) until stopped; resolves to every probe made. */
export function probeContinuously(url: string, everyMs = 10): { stop(): Promise<Probe[]> } {
  const probes: Probe[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      probes.push(await probeOnce(url));
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return probes;
    },
  };
}

/** What each env was doing at a moment, from the jsonl events (`demo-beta compose`). */
export function phasesAt(events: readonly RunEvent[], at: number): string[] {
  const open = new Map<string, string>();
  for (const e of events) {
    const time = Date.parse((e as { time?: string }).time ?? '');
    if (!(time <= at)) break;
    if (e.type === 'phase_start') open.set(e.env, e.phase);
    if (e.type === 'phase_end' || e.type === 'env_end') open.delete(e.env);
  }
  return [...open].map(([env, phase]) => `${env} ${phase}`);
}

/**
 * How much two envs worked at once: the overlap of their compose..test spans (from the
 * jsonl events) as a share of the shorter span. Near 1 when they ran side by side, 0 or
 * below when one ran after the other.
 */
export function sharedWorkingTime(events: readonly RunEvent[], envs: readonly [string, string]): number {
  const at = (type: 'phase_start' | 'phase_end', env: string, phase: string) => {
    const e = events.find((x) => x.type === type && x.env === env && x.phase === phase);
    if (!e) throw new Error(`no ${type} ${phase} event for ${env}`);
    return Date.parse((e as RunEvent & { time: string }).time);
  };
  const [a, b] = envs.map((env) => ({ start: at('phase_start', env, 'compose'), end: at('phase_end', env, 'test') }));
  const overlap = Math.min(a!.end, b!.end) - Math.max(a!.start, b!.start);
  return overlap / Math.min(a!.end - a!.start, b!.end - b!.start);
}

// ------------------------------------------------------------------ matrices

/** Absolute paths of the demo and of the fixtures that matrices point at. */
export const paths = {
  demoEnvDir: (env: 'demo-alpha' | 'demo-beta') => join(DEMO, 'environments', env),
  demoTemplate: (which: 'alpha' | 'beta') => join(DEMO, 'templates', `${which}.yaml`),
  smoke: join(DEMO, 'e2e', 'scenarios', 'smoke'),
  standard: join(DEMO, 'e2e', 'scenarios', 'standard'),
  infraCompose: join(DEMO, 'docker-compose.infra.yml'),
  /** The demo's registry, its network named to sort first (see the file's header). */
  esb: join(DEMO, 'bin', 'esb'),
  healthyEnvDir: join(FIXTURES, 'envs', 'healthy'),
  crashEnvDir: join(FIXTURES, 'envs', 'crash'),
  missingFunctionTemplate: join(FIXTURES, 'templates', 'missing-function.yaml'),
  failingSuite: join(FIXTURES, 'suites', 'failing'),
  slowSuite: join(FIXTURES, 'suites', 'slow'),
};

export interface EnvSpec {
  env: string;
  envDir: string;
  suites: string[];
  templates: string[];
  envVars?: Record<string, string>;
  wait?: { url: string; timeout: number }[];
}

export const GATEWAY_WAIT = 'http://127.0.0.1:${PORT_GATEWAY_HTTP}/health';

/** demo-alpha as the shipped matrix has it (smoke + standard, alpha's template). */
export const demoAlpha = (): EnvSpec => ({
  env: 'demo-alpha',
  envDir: paths.demoEnvDir('demo-alpha'),
  suites: ['smoke', 'standard'],
  templates: [paths.demoTemplate('alpha')],
});

/**
 * A fresh folder under test/docker/.tmp for one test's matrix and logs. The folders of
 * earlier runs of the same test go first: only the latest stays, to read after a failure.
 */
export function makeRunDir(label: string): string {
  mkdirSync(TMP, { recursive: true });
  for (const old of readdirSync(TMP)) {
    if (old.startsWith(`${label}-`)) rmSync(join(TMP, old), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(TMP, `${label}-`));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  return dir;
}

/** demo-beta as the shipped matrix has it. */
export const demoBeta = (): EnvSpec => ({
  env: 'demo-beta',
  envDir: paths.demoEnvDir('demo-beta'),
  suites: ['smoke', 'standard'],
  templates: [paths.demoTemplate('beta')],
});

/**
 * Writes `<dir>/matrix.yaml` for these envs, every path relative to the matrix's folder
 * (as the matrix contract says), pointing back at examples/demo and the fixtures. The
 * suites: smoke and standard (the demo's), failing and slow (fixtures). The registry is
 * the demo's (its own network sorts first, so envs joining it never cut it off).
 */
export function writeMatrix(dir: string, envs: readonly EnvSpec[]): string {
  const rel = (p: string) => relative(dir, p) || '.';
  const infraFile = paths.infraCompose;
  const matrix = {
    suites: {
      smoke: { targets: [rel(paths.smoke)] },
      standard: { targets: [rel(paths.standard)] },
      failing: { targets: [rel(paths.failingSuite)] },
      slow: { targets: [rel(paths.slowSuite)] },
    },
    defaults: {
      timeouts: { reset: 120, compose: 120, deploy: 180, test: 180 },
      wait: [{ url: GATEWAY_WAIT, timeout: 60 }],
    },
    infra: { compose_file: rel(infraFile), services: ['registry'] },
    esb: rel(paths.esb),
    matrix: envs.map((e) => ({
      env: e.env,
      env_dir: rel(e.envDir),
      suites: e.suites,
      deploy_templates: e.templates.map(rel),
      ...(e.envVars ? { env_vars: e.envVars } : {}),
      ...(e.wait ? { wait: e.wait } : {}),
    })),
  };
  const file = join(dir, 'matrix.yaml');
  writeFileSync(file, `# Written by test/docker (throwaway).\n${stringify(matrix)}`);
  return file;
}

// ------------------------------------------------------------------ the CLI

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const running = new Set<ChildProcess>();

/** A running `node bin/esb-e2e.js ...` (cwd: the repository root unless given), its output as it comes. */
export class CliRun {
  readonly child: ChildProcess;
  readonly startedAt = Date.now();
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;
  /** With `watchTree`: every process (pid and command line) seen under the CLI while it ran. */
  readonly tree = new Map<string, Proc>();
  private readonly listeners = new Set<() => void>();

  /**
   * `saveTo`: a folder where the CLI's stdout and stderr are written when it ends
   * (cli.stdout, cli.stderr), to read after a failed test. `cwd`: where the CLI runs (the
   * project root it plans for; ESB's current layout runs from its project root).
   */
  constructor(
    args: readonly string[],
    options: { env?: Record<string, string>; saveTo?: string; timeoutMs?: number; watchTree?: boolean; cwd?: string } = {},
  ) {
    const { env = {}, saveTo, timeoutMs = 280_000, watchTree = false, cwd = ROOT } = options;
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      // No bytecode or pytest cache next to the fixtures' test files.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      for (const l of this.listeners) l();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
    });
    const killer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    // Samples the CLI's process tree (children run in their own process groups, so the
    // tree, not the group, is what finds them), to check later that none outlived the run.
    let sampling = false;
    const watcher = watchTree
      ? setInterval(() => {
          if (sampling || this.child.pid === undefined) return;
          sampling = true;
          void descendantsOf(this.child.pid)
            .then((procs) => procs.forEach((p) => this.tree.set(`${p.pid} ${p.args}`, p)))
            .finally(() => (sampling = false));
        }, 300)
      : undefined;
    this.done = new Promise((resolvePromise, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => {
        clearTimeout(killer);
        clearInterval(watcher);
        running.delete(this.child);
        if (saveTo) {
          writeFileSync(join(saveTo, 'cli.stdout'), this.stdout);
          writeFileSync(join(saveTo, 'cli.stderr'), this.stderr);
        }
        for (const l of this.listeners) l();
        resolvePromise({ code, signal, stdout: this.stdout, stderr: this.stderr, durationMs: Date.now() - this.startedAt });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** jsonl events so far (complete lines only). */
  events(): RunEvent[] {
    const complete = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1);
    return parseJsonl(complete).events;
  }

  /** Resolves once `pattern` shows in stdout (plain reporter); rejects like waitFor. */
  async waitForText(what: string, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
    await this.waitFor(what, () => pattern.test(this.stdout), timeoutMs);
  }

  /** Resolves once `ready(events)` holds; rejects when the CLI ends first or time runs out. */
  waitFor(what: string, ready: (events: RunEvent[]) => boolean, timeoutMs = 120_000): Promise<RunEvent[]> {
    return new Promise((resolvePromise, reject) => {
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolvePromise(this.events());
      };
      const check = () => {
        if (ready(this.events())) return finish();
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(new Error(`the CLI ended before ${what}\n--- stdout tail ---\n${tail(this.stdout)}\n--- stderr ---\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}\n--- stdout tail ---\n${tail(this.stdout)}`)), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }
}

const tail = (text: string, n = 30) => text.split('\n').slice(-n).join('\n');

/** Runs the CLI to its end. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; saveTo?: string; cwd?: string } = {}): Promise<CliResult> {
  return new CliRun(args, options).done;
}

/**
 * Stops any CLI this file started that is still running (after a failed test): SIGTERM
 * first, so that it cancels its envs and kills its children's process groups itself (a
 * SIGKILL would orphan them), then SIGKILL when it takes longer than `graceMs`.
 */
export async function stopOurClis(graceMs = 60_000): Promise<void> {
  const children = [...running];
  const ended = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('close', r)));
  for (const child of children) child.kill('SIGTERM');
  const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), graceMs);
  await Promise.all(children.map(ended));
  clearTimeout(timer);
}

/** Parses a jsonl stream; lines that are not JSON objects are returned apart. */
export function parseJsonl(text: string): { events: RunEvent[]; junk: string[] } {
  const events: RunEvent[] = [];
  const junk: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && 'type' in value) events.push(value as RunEvent);
      else junk.push(line);
    } catch {
      junk.push(line);
    }
  }
  return { events, junk };
}

export function suiteEnd(events: readonly RunEvent[]): SuiteResult {
  const end = events.find((e): e is Extract<RunEvent, { type: 'suite_end' }> => e.type === 'suite_end');
  if (!end) throw new Error('no suite_end event in the jsonl stream');
  return end.result;
}

export function envOf(result: SuiteResult, name: string): EnvResult {
  const env = result.envs.find((e) => e.name === name);
  if (!env) throw new Error(`env ${name} is not in the result (envs: ${result.envs.map((e) => e.name).join(', ')})`);
  return env;
}

/** `{reset: 'passed', compose: 'failed', ...}` of an env result. */
export function phaseStatuses(env: EnvResult): Record<string, string> {
  return Object.fromEntries(env.phases.map((p) => [p.name, p.status]));
}

export const isPhaseStart = (env: string, phase: string) => (e: RunEvent) => e.type === 'phase_start' && e.env === env && e.phase === phase;

// ------------------------------------------------------------------ plain output

export interface PlainPhaseEnd {
  env: string;
  phase: string;
  status: string;
  error: string | undefined;
}

/** `[env] compose failed (10.0s): reason` lines of the plain reporter. */
export function plainPhaseEnds(stdout: string): PlainPhaseEnd[] {
  const re = /^\[([a-z0-9][a-z0-9_-]*)\] (reset|compose|deploy|test|cleanup) (passed|failed|cancelled) \([^)]*\)(?:: (.*))?$/;
  return stdout.split('\n').flatMap((l) => {
    const m = re.exec(l);
    return m ? [{ env: m[1]!, phase: m[2]!, status: m[3]!, error: m[4] }] : [];
  });
}

/** What follows `[suite] finished`: the summary table, failure sections and totals. */
export function plainSummary(stdout: string): string {
  const at = stdout.search(/^\[suite\] finished.*$/m);
  if (at < 0) throw new Error(`no "[suite] finished" line in the output:\n${tail(stdout)}`);
  return stdout.slice(at);
}

/** The summary table's row of an env, split into cells. */
export function summaryRow(summary: string, env: string): string[] {
  const row = summary.split('\n').find((l) => l.startsWith(`${env} `));
  if (!row) throw new Error(`no summary row for ${env}:\n${summary}`);
  return row.trim().split(/\s{2,}/);
}

/** A failed env's section under the summary: its reason, compose log line and log tail. */
export function failureSection(summary: string, env: string): { reason: string; composeLog: string | undefined; tail: string[] } | undefined {
  const all = summary.split('\n');
  const start = all.findIndex((l) => l.startsWith(`${env} failed: `));
  if (start < 0) return undefined;
  const reason = all[start]!.slice(`${env} failed: `.length);
  let i = start + 1;
  const composeLine = /^ {2}containers' state and logs: (.*)$/.exec(all[i] ?? '');
  if (composeLine) i++;
  const tail: string[] = [];
  if (/^--- last \d+ lines of .* ---$/.test(all[i] ?? '')) {
    for (; i < all.length; i++) {
      tail.push(all[i]!);
      if (all[i] === '---') break;
    }
  }
  return { reason, composeLog: composeLine?.[1], tail };
}
