// `npm run release:check`: what a user gets, tried from an empty folder. The packed
// tarball (its files: no tests, no bench, no executable) installs with nothing else and
// answers --version and `plan`; the single executable (npm run build:sea) answers
// --version, `plan` and runs the shipped demo on the Docker engine with no node on PATH
// and no node_modules beside it. Each check prints a line; the first failure stops it.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'esb-e2e-release-'));
const ok = (what) => console.log(`release:check: ${what}`);

function check(condition, what) {
  if (!condition) throw new Error(`release:check: FAILED: ${what}`);
  ok(what);
}

/** Runs a program; its result, failing loudly when it did not exit 0 (unless allowed). */
function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.status !== 0 && !opts.allowFailure) throw new Error(`release:check: ${file} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

try {
  // 1. The tarball and what it holds.
  const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: REPO }).stdout.trim().split('\n').pop();
  const tarball = join(work, packed);
  const files = run('tar', ['-tzf', tarball]).stdout.split('\n').filter(Boolean);
  const stray = files.filter((f) => /^package\/(test|bench|src|scripts|examples|\.ci)\//.test(f) || /esb-e2e-linux-x64|\/sea\//.test(f));
  check(stray.length === 0, `the tarball holds no tests, bench, sources or executable (${files.length} files)`);
  check(files.includes('package/dist/esb-e2e.cjs') && files.includes('package/dist/esb-e2e-run.cjs'), 'the tarball holds the bundles');
  ok(`tarball ${packed}: ${(statSync(tarball).size / 1024).toFixed(0)} KB`);

  // 2. Installed into an empty project: nothing else is fetched (everything is bundled).
  const app = join(work, 'app');
  mkdirSync(app);
  run('npm', ['init', '-y'], { cwd: app });
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', tarball], { cwd: app });
  const installed = readdirSync(join(app, 'node_modules')).filter((d) => !d.startsWith('.'));
  check(installed.length === 1 && installed[0] === 'esb-e2e', `installing it installs nothing else (node_modules: ${installed.join(', ')})`);
  check(run('npx', ['--no-install', 'esb-e2e', '--version'], { cwd: app }).stdout.trim() === version, `npx esb-e2e --version says ${version}`);
  const project = tinyProject(join(work, 'project'));
  const plan = run(join(app, 'node_modules', '.bin', 'esb-e2e'), ['plan'], { cwd: project });
  check(plan.stdout.includes('tiny'), 'the installed CLI plans a project');

  // 3. The single executable, alone in a folder, with no node on PATH.
  run('npm', ['run', '--silent', 'build:sea'], { cwd: REPO, stdio: 'inherit' });
  const exe = join(work, 'bin-only', 'esb-e2e');
  mkdirSync(join(work, 'bin-only'));
  copyFileSync(join(REPO, 'dist', 'esb-e2e-linux-x64'), exe);
  execFileSync('chmod', ['+x', exe]);
  const env = { PATH: withoutNode(join(work, 'tools')), HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8' };
  check(spawnSync('sh', ['-c', 'command -v node'], { env }).status !== 0, 'node is not on the PATH the executable runs with');
  check(run(exe, ['--version'], { env }).stdout.trim() === version, `the executable says ${version}`);
  check(run(exe, ['plan'], { cwd: project, env }).stdout.includes('tiny'), 'the executable plans a project');
  const demo = run(exe, ['run', '--no-verbose', '--cleanup'], { cwd: REPO, env, allowFailure: true });
  if (demo.status !== 0) console.log(demo.stdout.slice(-4000), demo.stderr);
  check(demo.status === 0 && /PASSED: 2 passed/.test(demo.stdout), 'the executable runs the shipped demo (examples/demo) on the Docker engine');
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A folder of every program on this PATH but node's own: a machine without Node. */
function withoutNode(dir) {
  mkdirSync(dir);
  const skip = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack']);
  for (const from of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    let names;
    try {
      names = readdirSync(from);
    } catch {
      continue;
    }
    for (const name of names) {
      if (skip.has(name)) continue;
      try {
        symlinkSync(join(from, name), join(dir, name));
      } catch {
        // The first on PATH wins, as a shell would find it.
      }
    }
  }
  return dir;
}

/** A one-env project whose tools are not needed: enough to plan. */
function tinyProject(dir) {
  mkdirSync(join(dir, 'envs', 'tiny'), { recursive: true });
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'envs', 'tiny', 'docker-compose.yml'), 'services: {}\n');
  writeFileSync(join(dir, 'template.yaml'), 'Resources: {}\n');
  writeFileSync(
    join(dir, 'e2e-matrix.yaml'),
    'suites:\n  smoke:\n    targets: [tests/]\ninfra: false\nmatrix:\n  - env: tiny\n    env_dir: envs/tiny\n    suites: [smoke]\n    deploy_templates: [template.yaml]\n',
  );
  return dir;
}
