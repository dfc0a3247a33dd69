// The CI example (examples/github-actions.yml) is a workflow GitHub can read, and every
// `esb-e2e` command it runs exists with every flag it passes; the demo's matrices plan.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, REPO } from './helpers/fake-project';

interface Workflow {
  on: unknown;
  jobs: Record<string, { 'runs-on': string; needs?: string; steps: { run?: string; uses?: string }[] }>;
}

const workflow = parse(readFileSync(join(REPO, 'examples', 'github-actions.yml'), 'utf8')) as Workflow;

it('is a workflow: triggers, and jobs that each run on a machine with steps', () => {
  expect(workflow.on).toBeDefined();
  expect(Object.keys(workflow.jobs)).toEqual(['plan', 'e2e', 'report']);
  for (const job of Object.values(workflow.jobs)) {
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps.length).toBeGreaterThan(0);
  }
  expect(workflow.jobs.e2e!.needs).toBe('plan');
  expect(workflow.jobs.report!.needs).toBe('e2e');
});

it('fans out with plan --github-matrix, runs each env with its report, JUnit and annotations, and merges', () => {
  const commands = Object.values(workflow.jobs)
    .flatMap((job) => job.steps.map((s) => s.run ?? ''))
    .flatMap((run) => [...run.replace(/\n/g, ' ').matchAll(/npx esb-e2e ([^>")]*)/g)].map((m) => m[1]!.trim()));
  expect(commands.map((c) => c.split(' ').slice(0, c.startsWith('report') ? 2 : 1).join(' '))).toEqual(['plan', 'run', 'report merge']);
  for (const command of commands) {
    const words = command.split(/\s+/);
    const path = words[0] === 'report' ? words.slice(0, 2) : words.slice(0, 1);
    const help = spawnSync(process.execPath, [CLI, ...path, '--help'], { encoding: 'utf8' });
    expect(help.status, `esb-e2e ${path.join(' ')} --help`).toBe(0);
    for (const flag of words.filter((w) => w.startsWith('--'))) expect(help.stdout, `${path.join(' ')} ${flag}`).toContain(flag);
  }
  expect(commands[1]).toMatch(/--report .* --junit /);
});

// The demo project (examples/demo) ships two matrices: the legacy one at the repository
// root (e2e-matrix.yaml) and one in ESB's current layout at the demo's own root
// (e2e/environments/test_matrix.yaml, found there by default). Both plan (no Docker).
const DEMO = join(REPO, 'examples', 'demo');

interface PlannedEnv {
  name: string;
  mode: string;
  project: string;
  composeFiles: string[];
  envFile: string | null;
  targets: string[];
  deployTemplates: string[];
  artifact: { manifest: string; problem: string | null; images: unknown[]; shim: unknown } | null;
  ports: Record<string, number>;
}
interface PlannedRun {
  root: string;
  generation: string;
  ctl: { bin: string | null; wrapper: string; wrapperText: string } | null;
  infra: { composeFile: string; container: string | null } | null;
  envs: PlannedEnv[];
}

function plan(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, CTL_BIN: '', E2E_PYTHON: '' };
  return spawnSync(process.execPath, [CLI, 'plan', ...args], { cwd, env, encoding: 'utf8' });
}

it('plans the shipped legacy matrix (e2e-matrix.yaml): demo-alpha and demo-beta, each with its template', () => {
  const planned = plan(REPO, '--json');
  expect(planned.status, planned.stderr).toBe(0);
  const p = JSON.parse(planned.stdout) as PlannedRun;
  expect(p.generation).toBe('legacy');
  expect(p.envs.map((e) => e.name)).toEqual(['demo-alpha', 'demo-beta']);
  for (const e of p.envs) {
    expect(e.deployTemplates).toHaveLength(1);
    expect(existsSync(e.deployTemplates[0]!)).toBe(true);
  }
});

describe("the demo's current-layout matrix (examples/demo/e2e/environments/test_matrix.yaml)", () => {
  const ENVS = ['demo-current-a', 'demo-current-b'];

  it('is found from the demo root and planned as the current layout', () => {
    const planned = plan(DEMO);
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/^matrix: e2e\/environments\/test_matrix\.yaml$/m);
    expect(planned.stdout).toMatch(/^ESB layout: current \(/m);
  });

  it('plans both envs: their artifact manifests (no fixture image: nothing needs buildx), compose files, targets, distinct port blocks', () => {
    const planned = plan(DEMO, '--json', '--matrix', 'e2e/environments/test_matrix.yaml');
    expect(planned.status, planned.stderr).toBe(0);
    const p = JSON.parse(planned.stdout) as PlannedRun;
    expect(p.generation).toBe('current');
    expect(p.root).toBe(DEMO);
    expect(p.infra).toMatchObject({ composeFile: join(DEMO, 'docker-compose.infra.yml'), container: 'esb-infra-registry' });
    expect(p.ctl).toMatchObject({ bin: null, wrapper: join(DEMO, '.e2e', 'bin', 'esb-ctl') });
    expect(p.ctl!.wrapperText).toContain(' -m tools.cli.cli "$@"');
    for (const file of ['tools/__init__.py', 'tools/cli/__init__.py', 'tools/cli/cli.py']) expect(existsSync(join(DEMO, file)), file).toBe(true);
    expect(p.envs.map((e) => e.name)).toEqual(ENVS);
    for (const e of p.envs) {
      const dir = join(DEMO, 'e2e', 'environments', e.name);
      expect(e).toMatchObject({ mode: 'docker', project: `esb-${e.name}`, composeFiles: [join(dir, 'docker-compose.yml')], envFile: join(dir, '.env') });
      expect(e.targets).toEqual(['e2e/current/smoke', 'e2e/current/standard']);
      expect(e.deployTemplates).toEqual([]);
      expect(e.artifact).toEqual({ manifest: join(DEMO, 'e2e', 'artifacts', e.name, 'artifact.yml'), problem: null, images: [], shim: null });
      expect(e.ports.PORT_GATEWAY_HTTP).toBeGreaterThanOrEqual(18000);
    }
    expect(p.envs[0]!.ports.PORT_GATEWAY_HTTP).not.toBe(p.envs[1]!.ports.PORT_GATEWAY_HTTP);
  });

  it("gives every function of each env's artifacts a Dockerfile on the demo's busybox image, and its message", () => {
    for (const env of ENVS) {
      const manifestFile = join(DEMO, 'e2e', 'artifacts', env, 'artifact.yml');
      const manifest = parse(readFileSync(manifestFile, 'utf8')) as { env: string; artifacts: { artifact_root: string; runtime_config_dir: string }[] };
      expect(manifest.env).toBe(env);
      for (const artifact of manifest.artifacts) {
        const root = join(dirname(manifestFile), artifact.artifact_root);
        const functions = (parse(readFileSync(join(root, artifact.runtime_config_dir, 'functions.yml'), 'utf8')) as { functions: Record<string, { image: string }> }).functions;
        expect(Object.keys(functions).length).toBeGreaterThan(0);
        for (const [name, fn] of Object.entries(functions)) {
          expect(fn.image).toBe(`\${HOST_REGISTRY_ADDR}/demo-${name}:\${ESB_TAG}`);
          const dockerfile = readFileSync(join(root, 'functions', name, 'Dockerfile'), 'utf8');
          expect(dockerfile.match(/^FROM .*$/gm)).toEqual(['FROM busybox:1.36']);
          expect(readFileSync(join(root, 'functions', name, 'message.txt'), 'utf8').trim()).not.toBe('');
        }
      }
    }
  });
});
