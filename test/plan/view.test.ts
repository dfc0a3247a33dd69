// src/plan-view.ts: `esb-e2e plan` output as a table, as JSON, as a GitHub Actions matrix.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPlan } from '../../src/plan/planner';
import type { Plan, PlanContext, PlanOptions } from '../../src/plan/types';
import { table } from '../../src/format';
import { githubMatrix, planJson, planTable } from '../../src/plan/view';
import { diskReader } from '../../src/io/reader';
import { memoryReader, newShapeTree } from '../helpers/memory-reader';

const LEGACY_ROOT = resolve(__dirname, '..', 'fixtures', 'esb-legacy');
const NOW = new Date('2024-05-06T07:08:09Z');

function random(): (bytes: number) => string {
  let n = 0;
  return (bytes) => {
    n += 1;
    return `${n.toString(16).padStart(2, '0')}c0ffee`.repeat(bytes).slice(0, bytes * 2);
  };
}

const SHELL_SECRET = 'shell-only-secret-value';

function legacyPlan(options: PlanOptions = {}): Plan {
  const ctx: PlanContext = {
    root: LEGACY_ROOT,
    base: { HOME: '/home/tester', PATH: '/usr/bin', MY_SHELL_TOKEN: SHELL_SECRET, SHELL_ONLY: 'visible-in-shell' },
    reader: diskReader,
    random: random(),
    now: NOW,
  };
  return createPlan(options, ctx);
}

describe('planTable', () => {
  const plan = legacyPlan();
  const text = planTable(plan);
  const lines = text.split('\n');

  it('starts with the matrix, jobs, log dir and registry', () => {
    expect(lines[0]).toBe('matrix: e2e/environments/test_matrix.yaml');
    expect(lines[1]).toBe('ESB layout: legacy (esb deploy of templates, port base 33000)');
    expect(lines[2]).toBe('jobs: 2   log dir: e2e');
    expect(lines[3]).toBe('registry: http://127.0.0.1:5010/v2/ (docker-compose.infra.yml)');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('has the header columns', () => {
    const header = lines.find((l) => l.startsWith('env '));
    expect(header).toBeDefined();
    expect(header!.split(/\s{2,}/)).toEqual(['env', 'mode', 'suites', 'compose project', 'ports']);
  });

  it.each([
    ['e2e-docker', 'docker', 33020],
    ['e2e-containerd', 'containerd', 33000],
  ])('a row for %s (mode, suites, project, port block), then its targets, ports and log file', (name, mode, base) => {
    const row = lines.find((l) => l.startsWith(`${name} `));
    expect(row!.split(/\s{2,}/)).toEqual([name, mode, 'smoke,standard', `esb-${name}`, `${base}-${base + 7}`]);
    const at = lines.indexOf(name);
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '  deploy   e2e/fixtures/template.yaml',
      '  targets  e2e/scenarios/smoke e2e/scenarios/autoscaling e2e/scenarios/standard',
      `  ports    GATEWAY_HTTPS=${base} GATEWAY_HTTP=${base + 1} AGENT_GRPC=${base + 2} AGENT_METRICS=${base + 3}`,
      `           VICTORIALOGS=${base + 4} DATABASE=${base + 5} S3=${base + 6} S3_MGMT=${base + 7}`,
      `  log      e2e/.parallel-${name}.log`,
    ]);
  });

  it('columns line up', () => {
    const header = lines.find((l) => l.startsWith('env '))!;
    const rule = lines[lines.indexOf(header) + 1]!;
    expect(rule).toMatch(/^-+( {2}-+)+$/);
    const portCol = header.indexOf('ports');
    for (const [name, base] of [['e2e-docker', 33020], ['e2e-containerd', 33000]] as const) {
      expect(lines.find((l) => l.startsWith(`${name} `))!.slice(portCol)).toBe(`${base}-${base + 7}`);
    }
  });

  it('fits the width it is given: 100 columns by default, and a narrow one by wrapping and cutting', () => {
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    const narrow = planTable(plan, 50).split('\n');
    expect(Math.max(...narrow.filter((l) => !l.includes('/')).map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(narrow.filter((l) => l.startsWith('           ')).length).toBeGreaterThan(4);
    expect(narrow.some((l) => l.includes('…'))).toBe(true);
  });

  it('tells about --test-only and shards with nothing to run', () => {
    const t = planTable(legacyPlan({ testOnly: true, envs: ['e2e-docker'] }));
    expect(t).toContain('registry: none');
    expect(t).toContain('\n  skips    reset, compose, deploy\n');
    const shard = planTable(legacyPlan({ shard: { index: 3, count: 3 } }));
    expect(shard).toContain('note: shard 3/3 has no env: nothing to run');
  });

  it('names a remote docker host', () => {
    const r = memoryReader(
      newShapeTree('suites:\n  s:\n    targets: [tests/smoke]\ninfra: false\nmatrix:\n  - env: remote\n    env_dir: envs/remote\n    suites: [s]\n    docker_host: ssh://ci@host-2\n    docker_context: ctx2\n', ['remote']),
    );
    const t = planTable(createPlan({}, { root: r.root, base: { HOME: '/h' }, reader: r, random: random(), now: NOW }));
    // a user name alone is no secret; masking it would be harmless too
    expect(t).toMatch(/^ {2}docker {3}host ssh:\/\/(ci|\*\*\*)@host-2\n {2}docker {3}context ctx2$/m);
  });

  it('shows no secret', () => {
    for (const env of plan.envs) {
      expect(text).not.toContain(env.env.AUTH_PASS!);
      expect(text).not.toContain(env.env.JWT_SECRET_KEY!);
    }
  });
});

describe('table', () => {
  it('pads every column but the last, and trims trailing spaces', () => {
    expect(table(['a', 'bb', 'c'], [['xxx', 'y', ''], ['z', 'long-cell', 'end']])).toEqual([
      'a    bb         c',
      '---  ---------  ---',
      'xxx  y',
      'z    long-cell  end',
    ]);
  });
});

describe('planJson', () => {
  const plan = legacyPlan({ set: { EXTRA_SECRET_KEY: 'set-secret-value' } });
  const text = planJson(plan);
  const json = JSON.parse(text) as Record<string, unknown> & { envs: Record<string, unknown>[] };

  it('is JSON of the plan without the base env and without the per-env inputs', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(json.base).toBeUndefined();
    expect(json.root).toBe(LEGACY_ROOT);
    expect(json.jobs).toBe(2);
    expect(json.allEnvs).toEqual(['e2e-containerd', 'e2e-docker']);
    expect(json.envs.map((e) => e.name)).toEqual(['e2e-docker', 'e2e-containerd']);
    for (const env of json.envs) expect(env.input).toBeUndefined();
    expect(text).not.toContain(SHELL_SECRET);
    expect(text).not.toContain('visible-in-shell');
  });

  it('keeps ports, timeouts, phases and log paths', () => {
    const docker = json.envs[0]!;
    expect(docker.ports).toEqual(plan.envs[0]!.ports);
    expect(docker.timeouts).toEqual({ reset: 300, compose: 600, deploy: 1800, test: 3600 });
    expect(docker.log).toBe(resolve(LEGACY_ROOT, 'e2e', '.parallel-e2e-docker.log'));
  });

  it('masks secret values and keeps the rest of the env', () => {
    for (const [i, env] of plan.envs.entries()) {
      const shown = json.envs[i]!.env as Record<string, string>;
      for (const key of ['AUTH_PASS', 'RUSTFS_SECRET_KEY', 'JWT_SECRET_KEY', 'X_API_KEY', 'EXTRA_SECRET_KEY']) {
        expect(shown[key]).toBe('***');
        expect(text).not.toContain(env.env[key]!);
      }
      expect(shown.AUTH_USER).toBe('esb');
      expect(shown.RUSTFS_ACCESS_KEY).toBe('esb');
      expect(shown.PROJECT_NAME).toBe(`esb-${env.name}`);
      expect(shown.PORT_GATEWAY_HTTPS).toBe(env.env.PORT_GATEWAY_HTTPS);
    }
  });

  it('masks credentials in URLs anywhere in the plan (wait URLs, docker host)', () => {
    const r = memoryReader(
      newShapeTree(
        'suites:\n  s:\n    targets: [tests/smoke]\ninfra: false\nmatrix:\n  - env: remote\n    env_dir: envs/remote\n    suites: [s]\n    docker_host: ssh://ci:hostpassword@host-2\n    wait: [{ url: "https://admin:waitpassword@localhost:1/health" }]\n',
        ['remote'],
      ),
    );
    const p = createPlan({}, { root: r.root, base: { HOME: '/h' }, reader: r, random: random(), now: NOW });
    const out = planJson(p);
    expect(out).not.toContain('hostpassword');
    expect(out).not.toContain('waitpassword');
    expect(planTable(p)).not.toContain('hostpassword');
  });
});

describe('githubMatrix', () => {
  it('is exactly {"include":[{"env":...}]} in plan order', () => {
    expect(githubMatrix(legacyPlan())).toBe('{"include":[{"env":"e2e-docker"},{"env":"e2e-containerd"}]}\n');
  });

  it('follows the selection', () => {
    expect(githubMatrix(legacyPlan({ envs: ['e2e-containerd'] }))).toBe('{"include":[{"env":"e2e-containerd"}]}\n');
    expect(githubMatrix(legacyPlan({ shard: { index: 3, count: 3 } }))).toBe('{"include":[]}\n');
  });
});
