// src/matrix.ts: the legacy ESB matrix loads unchanged, the new shape is validated and
// coerced, and every bad input is reported as `<file>: <yaml path>: <what>`.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { envPaths, loadMatrix, parseMatrix, yamlPath } from '../../src/plan/matrix';
import { diskReader } from '../../src/io/reader';
import { memoryReader } from '../helpers/memory-reader';

const LEGACY_ROOT = resolve(__dirname, '..', 'fixtures', 'esb-legacy');
const LEGACY_MATRIX = resolve(LEGACY_ROOT, 'e2e', 'environments', 'test_matrix.yaml');

/** The ConfigError message a call throws (fails the test when nothing is thrown), exactly. */
function placedErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/**
 * The same, its `:line:col` places taken out: these tests are about what each message says
 * (where it is placed in the file is checked by the tests of "places in the file").
 */
function errorOf(fn: () => unknown): string {
  return placedErrorOf(fn).replace(/^([^\s:]+\.ya?ml):\d+:\d+:/gm, '$1:');
}

const SUITES = 'suites:\n  smoke:\n    targets: [tests/smoke]\n  standard:\n    targets: [tests/full]\n';
const parse = (text: string) => parseMatrix(text, 'm.yaml');

describe('legacy ESB matrix', () => {
  it('loads e2e/environments/test_matrix.yaml unchanged with esb_env names', () => {
    const loaded = loadMatrix(LEGACY_MATRIX, diskReader, 'e2e/environments/test_matrix.yaml');
    expect(loaded.names).toEqual(['e2e-docker', 'e2e-containerd']);
    expect(loaded.dir).toBe(resolve(LEGACY_ROOT, 'e2e', 'environments'));
    expect(loaded.file).toBe('e2e/environments/test_matrix.yaml');
    expect(Object.keys(loaded.matrix.suites)).toEqual(['smoke', 'standard']);
    expect(loaded.matrix.suites.smoke?.targets).toEqual(['../scenarios/smoke/']);
    expect(loaded.matrix.suites.standard?.targets).toEqual(['../scenarios/autoscaling/', '../scenarios/standard/']);
    expect(loaded.matrix.suites.smoke?.exclude).toEqual([]);
    expect(loaded.matrix.suites.smoke?.description).toBe('Fast connectivity tests for all components');
    for (const entry of loaded.matrix.matrix) {
      expect(entry.suites).toEqual(['smoke', 'standard']);
      expect(entry.env).toBeUndefined();
    }
    expect(loaded.matrix.matrix.map((e) => e.esb_env)).toEqual(['e2e-docker', 'e2e-containerd']);
  });

  it('finds each legacy env dir, compose file and .env next to the matrix', () => {
    const loaded = loadMatrix(LEGACY_MATRIX, diskReader);
    const envDir = resolve(LEGACY_ROOT, 'e2e', 'environments', 'e2e-containerd');
    expect(envPaths(loaded, 1, diskReader)).toEqual({
      envDir,
      composeFiles: [resolve(envDir, 'docker-compose.yml')],
      envFile: resolve(envDir, '.env'),
    });
  });
});

describe('new matrix shape', () => {
  const full = `
suites:
  smoke:
    description: quick
    targets: [tests/smoke]
    exclude: [tests/smoke/slow]
    markers: "not slow"
  standard:
    targets: [tests/full]
    exclude:
defaults:
  mode: docker
  env_vars: { LOG_LEVEL: DEBUG, RETRIES: 3 }
  timeouts: { reset: 30, compose: 60 }
  wait: [{ url: "http://127.0.0.1:\${PORT_GATEWAY_HTTP}/health" }]
  deploy_templates: [tpl/a.yaml]
infra:
  compose_file: infra.yml
  services: [registry, mirror]
  ready_url: http://127.0.0.1:5010/v2/
compose: [podman-compose]
esb: bin/esb
python: venv/bin/python
ports: [PORT_A, PORT_B]
port_base: 40000
port_block: 10
published_ports:
  - { service: web, port: 80, variable: PORT_A }
auto_build: false
gateway_env: false
matrix:
  - env: alpha
    env_dir: envs/a
    env_file: envs/a/custom.env
    compose_files: [envs/a/one.yml, envs/a/two.yml]
    mode: containerd
    suites: [smoke, standard]
    env_vars: { NUM: 42, FLOAT: 1.5, YES: true, NO: false, TEXT: hi }
    deploy_templates: [tpl/b.yaml]
    timeouts: { deploy: 900, test: 1.5 }
    wait: [{ url: "https://localhost:1/health", timeout: 5 }]
    docker_host: ssh://ci@host-2
    docker_context: remote
  - env: beta_2
    suites: [smoke]
`;

  it('accepts every key and coerces env_vars numbers and booleans to strings', () => {
    const { matrix, names } = parse(full);
    expect(names).toEqual(['alpha', 'beta_2']);
    const alpha = matrix.matrix[0]!;
    expect(alpha.env_vars).toEqual({ NUM: '42', FLOAT: '1.5', YES: 'true', NO: 'false', TEXT: 'hi' });
    expect(alpha.env_dir).toBe('envs/a');
    expect(alpha.env_file).toBe('envs/a/custom.env');
    expect(alpha.compose_files).toEqual(['envs/a/one.yml', 'envs/a/two.yml']);
    expect(alpha.mode).toBe('containerd');
    expect(alpha.deploy_templates).toEqual(['tpl/b.yaml']);
    expect(alpha.timeouts).toEqual({ deploy: 900, test: 1.5 });
    expect(alpha.wait).toEqual([{ url: 'https://localhost:1/health', timeout: 5 }]);
    expect(alpha.docker_host).toBe('ssh://ci@host-2');
    expect(alpha.docker_context).toBe('remote');
    expect(matrix.defaults?.env_vars).toEqual({ LOG_LEVEL: 'DEBUG', RETRIES: '3' });
    expect(matrix.defaults?.timeouts).toEqual({ reset: 30, compose: 60 });
    // a wait item without a timeout gets 60 s
    expect(matrix.defaults?.wait).toEqual([{ url: 'http://127.0.0.1:${PORT_GATEWAY_HTTP}/health', timeout: 60 }]);
    expect(matrix.defaults?.deploy_templates).toEqual(['tpl/a.yaml']);
    expect(matrix.defaults?.mode).toBe('docker');
    expect(matrix.infra).toMatchObject({ compose_file: 'infra.yml', services: ['registry', 'mirror'], ready_url: 'http://127.0.0.1:5010/v2/' });
    expect(matrix.compose).toEqual(['podman-compose']);
    expect(matrix.esb).toBe('bin/esb');
    expect(matrix.python).toBe('venv/bin/python');
    expect(matrix.ports).toEqual(['PORT_A', 'PORT_B']);
    expect(matrix.port_base).toBe(40000);
    expect(matrix.port_block).toBe(10);
    expect(matrix.published_ports).toEqual([{ service: 'web', port: 80, variable: 'PORT_A' }]);
    expect(matrix.auto_build).toBe(false);
    expect(matrix.gateway_env).toBe(false);
    // `exclude:` with no value is an empty list
    expect(matrix.suites.standard?.exclude).toEqual([]);
    expect(matrix.suites.smoke?.markers).toBe('not slow');
  });

  it('fills infra defaults and accepts infra: false and published_ports: false', () => {
    const withInfra = parse(`${SUITES}infra:\n  compose_file: infra.yml\nmatrix:\n  - env: a\n    suites: [smoke]\n`);
    expect(withInfra.matrix.infra).toEqual({
      compose_file: 'infra.yml',
      services: ['registry'],
      ready_timeout: 60,
      alias: 'registry',
      project: 'esb-infra',
    });
    const off = parse(`${SUITES}infra: false\npublished_ports: false\nmatrix:\n  - env: a\n    suites: [smoke]\n`);
    expect(off.matrix.infra).toBe(false);
    expect(off.matrix.published_ports).toBe(false);
  });

  it('accepts env and esb_env together when they agree, and refuses them when they differ', () => {
    expect(parse(`${SUITES}matrix:\n  - env: a\n    esb_env: a\n    suites: [smoke]\n`).names).toEqual(['a']);
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    esb_env: b\n    suites: [smoke]\n`))).toBe(
      'm.yaml: matrix[0]: both "env" and "esb_env" are set and differ; keep one',
    );
  });

  it('yamlPath writes dotted keys and [index]', () => {
    expect(yamlPath(['matrix', 1, 'suites', 0])).toBe('matrix[1].suites[0]');
    expect(yamlPath(['suites', 'smoke', 'targets'])).toBe('suites.smoke.targets');
    expect(yamlPath([])).toBe('(top level)');
  });
});

describe('bad matrix input: <file>: <yaml path>: <what>', () => {
  it('not YAML: names the line and column', () => {
    const message = errorOf(() => parse('suites:\n  smoke: [a\nmatrix: {\n'));
    expect(message).toMatch(/^m\.yaml: not valid YAML: /);
    expect(placedErrorOf(() => parse('suites: [\n  x: 1\n'))).toMatch(/^m\.yaml:\d+:\d+: not valid YAML: /);
  });

  it('a duplicate YAML key is not valid YAML', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    env: b\n    suites: [smoke]\n`))).toMatch(
      /^m\.yaml: .*not valid YAML: Map keys must be unique/,
    );
  });

  it('empty file and a comment-only file', () => {
    expect(errorOf(() => parse(''))).toBe('m.yaml: is empty: expected a mapping with `suites` and `matrix`');
    expect(errorOf(() => parse('# nothing here\n'))).toBe('m.yaml: is empty: expected a mapping with `suites` and `matrix`');
  });

  it('a list at the top level', () => {
    expect(errorOf(() => parse('- env: a\n- env: b\n'))).toBe(
      'm.yaml: top level is a list: expected a mapping with `suites` and `matrix`',
    );
  });

  it('a scalar at the top level', () => {
    expect(errorOf(() => parse('just text\n'))).toBe('m.yaml: top level is not a mapping: expected `suites` and `matrix` keys');
  });

  it('no matrix key', () => {
    expect(errorOf(() => parse(SUITES))).toBe('m.yaml: matrix: is required');
  });

  it('an empty matrix list', () => {
    expect(errorOf(() => parse(`${SUITES}matrix: []\n`))).toBe('m.yaml: matrix: lists no environment');
  });

  it('an env without a name', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n  - suites: [smoke]\n`))).toBe(
      'm.yaml: matrix[1]: the env has no name (set "env:", or legacy "esb_env:")',
    );
  });

  it.each([
    ['a/b', 'a slash'],
    ['..', 'dots only'],
    ['a..b', 'dots'],
    ['a.b', 'a dot'],
    ['"a b"', 'a space'],
    ['Alpha', 'capitals'],
    ['-a', 'a leading dash'],
  ])('env name %s (%s) is refused with the rule', (name) => {
    const message = errorOf(() => parse(`${SUITES}matrix:\n  - env: ok\n    suites: [smoke]\n  - env: ${name}\n    suites: [smoke]\n`));
    expect(message).toMatch(/^m\.yaml: matrix\[1\]\.env: must match \^\[a-z0-9\]\[a-z0-9_-\]\*\$/);
  });

  it.each(['suite', 'infra'])('the name %s is reserved for esb-e2e\'s own output lines', (name) => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: ${name}\n    suites: [smoke]\n`))).toMatch(
      new RegExp(`^m\\.yaml: matrix\\[0\\]\\.env: "${name}" is reserved`),
    );
  });

  it('legacy esb_env names follow the same rule', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - esb_env: E2E/Docker\n    suites: [smoke]\n`))).toMatch(
      /^m\.yaml: matrix\[0\]\.esb_env: must match/,
    );
  });

  it('a number where an env name belongs says what was expected', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: 5\n    suites: [smoke]\n`))).toBe(
      'm.yaml: matrix[0].env: expected an env name (string), got number',
    );
  });

  it('duplicate envs name both indexes (env and legacy esb_env)', () => {
    const message = errorOf(() =>
      parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n  - env: b\n    suites: [smoke]\n  - esb_env: a\n    suites: [smoke]\n`),
    );
    expect(message).toBe('m.yaml: matrix[2].esb_env: duplicate env "a" (also matrix[0])');
  });

  it('unknown suite: suggests the nearest and lists the known ones', () => {
    const message = errorOf(() =>
      parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n  - env: b\n    suites: [smok]\n`),
    );
    expect(message).toBe('m.yaml: matrix[1].suites[0]: unknown suite "smok" (did you mean "smoke"? known: smoke, standard)');
  });

  it('unknown suite far from every name: no suggestion', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke, zzzzzzzz]\n`))).toBe(
      'm.yaml: matrix[0].suites[1]: unknown suite "zzzzzzzz" (known: smoke, standard)',
    );
  });

  it('an env with no suites', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: []\n`))).toBe(
      'm.yaml: matrix[0].suites: an env needs at least one suite',
    );
  });

  it('suites given as a string instead of a list says what was expected', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: smoke\n`))).toMatch(
      /^m\.yaml: matrix\[0\]\.suites: expected a list of suite names/,
    );
  });

  it('a suite with an empty target list, and one with no targets key', () => {
    expect(errorOf(() => parse('suites:\n  smoke:\n    targets: []\nmatrix:\n  - env: a\n    suites: [smoke]\n'))).toBe(
      'm.yaml: suites.smoke.targets: a suite needs at least one target',
    );
    expect(errorOf(() => parse('suites:\n  smoke:\n    description: x\nmatrix:\n  - env: a\n    suites: [smoke]\n'))).toBe(
      'm.yaml: suites.smoke.targets: is required',
    );
  });

  it('a negative timeout', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    timeouts: { deploy: -1 }\n`))).toBe(
      'm.yaml: matrix[0].timeouts.deploy: must be a positive number of seconds (got -1)',
    );
  });

  it('a zero timeout in defaults', () => {
    expect(errorOf(() => parse(`${SUITES}defaults:\n  timeouts: { test: 0 }\nmatrix:\n  - env: a\n    suites: [smoke]\n`))).toBe(
      'm.yaml: defaults.timeouts.test: must be a positive number of seconds (got 0)',
    );
  });

  it('a string timeout says a number of seconds is expected (not "is required")', () => {
    const message = errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    timeouts: { test: "10" }\n`));
    expect(message).toMatch(/^m\.yaml: matrix\[0\]\.timeouts\.test: /);
    expect(message).toMatch(/number of seconds/);
    expect(message).not.toMatch(/is required/);
  });

  it('a bad mode names the value given', () => {
    const message = errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    mode: podman\n`));
    expect(message).toMatch(/^m\.yaml: matrix\[0\]\.mode: expected one of "docker", "containerd"/);
    expect(message).toContain('podman');
  });

  it('a nested value in env_vars', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    env_vars: { A: { b: 1 } }\n`))).toBe(
      'm.yaml: matrix[0].env_vars.A: expected a string, number or boolean',
    );
  });

  it('an env_vars key that is not a variable name', () => {
    expect(errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    env_vars: { "A-B": x }\n`))).toMatch(
      /^m\.yaml: matrix\[0\]\.env_vars\.A-B: .*(variable name|VAR)/,
    );
  });

  it('unknown key in an env: suggests "suites" for "suits"', () => {
    const message = errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suits: [smoke]\n`));
    expect(message).toContain('m.yaml: matrix[0].suits: unknown key "suits" (did you mean "suites"?) (known: env, esb_env, env_dir');
    // The cause (the typo) before its symptom (the key it should have been is missing).
    expect(message.split('\n')[1]).toBe('m.yaml: matrix[0].suites: is required');
  });

  it('unknown key at the top level and inside timeouts', () => {
    const top = errorOf(() => parse(`suites:\n  smoke:\n    targets: [a]\nmatrx:\n  - env: a\n    suites: [smoke]\n`));
    expect(top).toContain('m.yaml: matrx: unknown key "matrx" (did you mean "matrix"?)');
    const nested = errorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    timeouts: { deplyo: 5 }\n`));
    expect(nested).toBe(
      'm.yaml: matrix[0].timeouts.deplyo: unknown key "deplyo" (did you mean "deploy"?) (known: reset, compose, deploy, test)',
    );
  });

  it('unknown key in a suite', () => {
    expect(errorOf(() => parse('suites:\n  smoke:\n    targets: [a]\n    marker: x\nmatrix:\n  - env: a\n    suites: [smoke]\n'))).toMatch(
      /^m\.yaml: suites\.smoke\.marker: unknown key "marker" \(did you mean "markers"\?\)/,
    );
  });

  it('caps a long list of problems at 10 lines and says how many more', () => {
    const envs = Array.from({ length: 15 }, (_, i) => `  - env: e${i}\n    suites: [nope]\n`).join('');
    const lines = errorOf(() => parse(`${SUITES}matrix:\n${envs}`)).split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('... and 5 more');
    expect(lines.slice(0, 10).every((l) => l.startsWith('m.yaml: matrix['))).toBe(true);
  });
});

describe('loadMatrix: files the matrix names', () => {
  const matrix = (env: string) =>
    `suites:\n  smoke:\n    targets: [tests/smoke]\n  standard:\n    targets: [tests/full, tests/extra]\nmatrix:\n${env}`;
  const base = {
    'tests/smoke/test_a.py': '',
    'tests/full/test_b.py': '',
    'tests/extra/test_c.py': '',
    'envs/a/docker-compose.yml': 'services: {}\n',
    'envs/a/.env': 'A=1\n',
  };
  const load = (tree: Record<string, string>) => {
    const reader = memoryReader(tree);
    return loadMatrix(reader.abs('e2e-matrix.yaml'), reader, 'e2e-matrix.yaml');
  };

  it('loads when every path exists, and resolves paths against the matrix folder', () => {
    const reader = memoryReader({ ...base, 'sub/e2e-matrix.yaml': matrix('  - env: a\n    env_dir: ../envs/a\n    suites: [smoke]\n').replace(/tests\//g, '../tests/') });
    const loaded = loadMatrix(reader.abs('sub/e2e-matrix.yaml'), reader, 'sub/e2e-matrix.yaml');
    expect(envPaths(loaded, 0, reader)).toEqual({
      envDir: reader.abs('envs/a'),
      composeFiles: [reader.abs('envs/a/docker-compose.yml')],
      envFile: reader.abs('envs/a/.env'),
    });
  });

  it('a missing matrix file', () => {
    const reader = memoryReader(base);
    expect(errorOf(() => loadMatrix(reader.abs('nope.yaml'), reader, 'nope.yaml'))).toBe('nope.yaml: matrix file not found');
  });

  it('a matrix path that is a folder', () => {
    const reader = memoryReader(base);
    expect(errorOf(() => loadMatrix(reader.abs('envs'), reader, 'envs'))).toBe('envs: matrix is not a file');
  });

  it('a missing target path', () => {
    const { 'tests/extra/test_c.py': _gone, ...rest } = base;
    const message = errorOf(() => load({ ...rest, 'e2e-matrix.yaml': matrix('  - env: a\n    env_dir: envs/a\n    suites: [smoke]\n') }));
    expect(message).toBe(`e2e-matrix.yaml: suites.standard.targets[1]: test target not found: ${memoryReader({}).abs('tests/extra')}`);
  });

  it('a missing env_dir', () => {
    const message = errorOf(() => load({ ...base, 'e2e-matrix.yaml': matrix('  - env: a\n    env_dir: envs/zz\n    suites: [smoke]\n') }));
    expect(message).toBe(`e2e-matrix.yaml: matrix[0].env_dir: env dir not found: ${memoryReader({}).abs('envs/zz')}`);
  });

  it('an env dir that defaults to the env name and does not exist', () => {
    const message = errorOf(() => load({ ...base, 'e2e-matrix.yaml': matrix('  - env: ghost\n    suites: [smoke]\n') }));
    expect(message).toBe(`e2e-matrix.yaml: matrix[0] (env_dir defaults to the env name): env dir not found: ${memoryReader({}).abs('ghost')}`);
  });

  it('an env dir without docker-compose.yml', () => {
    const tree: Record<string, string> = { ...base, 'envs/b/.env': 'B=1\n', 'e2e-matrix.yaml': matrix('  - env: b\n    env_dir: envs/b\n    suites: [smoke]\n') };
    expect(errorOf(() => load(tree))).toBe(`e2e-matrix.yaml: matrix[0]: compose file not found: ${memoryReader({}).abs('envs/b/docker-compose.yml')}`);
  });

  it('a missing file listed in compose_files names its index', () => {
    const tree = { ...base, 'e2e-matrix.yaml': matrix('  - env: a\n    env_dir: envs/a\n    compose_files: [envs/a/docker-compose.yml, envs/a/override.yml]\n    suites: [smoke]\n') };
    expect(errorOf(() => load(tree))).toBe(`e2e-matrix.yaml: matrix[0].compose_files[1]: compose file not found: ${memoryReader({}).abs('envs/a/override.yml')}`);
  });

  it('an explicit env_file that does not exist', () => {
    const tree = { ...base, 'e2e-matrix.yaml': matrix('  - env: a\n    env_dir: envs/a\n    env_file: envs/a/missing.env\n    suites: [smoke]\n') };
    expect(errorOf(() => load(tree))).toBe(`e2e-matrix.yaml: matrix[0].env_file: env file not found: ${memoryReader({}).abs('envs/a/missing.env')}`);
  });

  it('an env dir without .env is fine (no env file)', () => {
    const tree = { ...base, 'envs/c/docker-compose.yml': '', 'e2e-matrix.yaml': matrix('  - env: c\n    env_dir: envs/c\n    suites: [smoke]\n') };
    const reader = memoryReader(tree);
    const loaded = loadMatrix(reader.abs('e2e-matrix.yaml'), reader);
    expect(envPaths(loaded, 0, reader).envFile).toBeUndefined();
  });

  it('a missing infra compose file', () => {
    const tree = { ...base, 'e2e-matrix.yaml': `infra:\n  compose_file: infra.yml\n${matrix('  - env: a\n    env_dir: envs/a\n    suites: [smoke]\n')}` };
    expect(errorOf(() => load(tree))).toBe(`e2e-matrix.yaml: infra.compose_file: infra compose file not found: ${memoryReader({}).abs('infra.yml')}`);
  });

  it('reports every missing path at once', () => {
    const tree = { 'envs/a/docker-compose.yml': '', 'e2e-matrix.yaml': matrix('  - env: a\n    env_dir: envs/a\n    suites: [smoke]\n  - env: b\n    env_dir: envs/b\n    suites: [smoke]\n') };
    const lines = errorOf(() => load(tree)).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => l.includes('test target not found'))).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('e2e-matrix.yaml: matrix[1].env_dir: env dir not found'))).toBe(true);
  });

  it('a 1 MB matrix with many envs and suites loads quickly', () => {
    const suiteCount = 200;
    const envCount = 5000;
    const suiteNames = Array.from({ length: suiteCount }, (_, i) => `suite-${i}`);
    const tree: Record<string, string> = {};
    const parts = ['suites:'];
    for (const s of suiteNames) {
      parts.push(`  ${s}:`, `    description: generated suite ${s}`, `    targets: [tests/${s}]`);
      tree[`tests/${s}/test_x.py`] = '';
    }
    parts.push('matrix:');
    for (let i = 0; i < envCount; i++) {
      const name = `env-${String(i).padStart(5, '0')}`;
      const picks = [0, 1, 2, 3, 4].map((k) => suiteNames[(i * 7 + k) % suiteCount]);
      parts.push(`  - env: ${name}`, `    env_dir: envs/${name}`, `    suites: [${picks.join(', ')}]`);
      parts.push(`    env_vars: { ALPHA: "value-${i}", BETA: ${i}, GAMMA: true, DELTA: "some longer text ${i}" }`);
      tree[`envs/${name}/docker-compose.yml`] = '';
    }
    const text = parts.join('\n') + '\n';
    expect(text.length).toBeGreaterThan(1_000_000);
    tree['e2e-matrix.yaml'] = text;
    const reader = memoryReader(tree);
    const started = performance.now();
    const loaded = loadMatrix(reader.abs('e2e-matrix.yaml'), reader);
    const elapsed = performance.now() - started;
    expect(loaded.names).toHaveLength(envCount);
    expect(Object.keys(loaded.matrix.suites)).toHaveLength(suiteCount);
    expect(loaded.matrix.matrix[envCount - 1]?.env_vars?.BETA).toBe(String(envCount - 1));
    // The YAML parser dominates (about 1.5 s on a loaded 2-CPU box); generous bound against flakes.
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('places in the file: every problem as file:line:col: path: what is wrong, in the order of the file', () => {
  it('places a schema problem at its key, an unknown key at itself, an unknown suite at the item', () => {
    const text = `${SUITES}matrix:\n  - env: a\n    suites: [smoke]\n    timeouts: { deploy: -1 }\n  - env: b\n    suits: [smoke]\n    suites: [smoke]\n`;
    expect(placedErrorOf(() => parse(text)).split('\n')).toEqual([
      'm.yaml:9:25: matrix[0].timeouts.deploy: must be a positive number of seconds (got -1)',
      'm.yaml:11:5: matrix[1].suits: unknown key "suits" (did you mean "suites"?) (known: env, esb_env, env_dir, env_file, compose_files, mode, suites, artifact_manifest, esb_project, env_vars, deploy_templates, timeouts, wait, docker_host, docker_context)',
    ]);
    expect(placedErrorOf(() => parse(`${SUITES}matrix:\n  - env: a\n    suites: [smoke, smok]\n`))).toBe(
      'm.yaml:8:21: matrix[0].suites[1]: unknown suite "smok" (did you mean "smoke"? known: smoke, standard)',
    );
  });

  it('places a missing key at the mapping it is missing from', () => {
    expect(placedErrorOf(() => parse('suites:\n  smoke:\n    markers: x\nmatrix:\n  - env: a\n    suites: [smoke]\n'))).toBe(
      'm.yaml:2:3: suites.smoke.targets: is required',
    );
  });
});
