// src/esb/generation.ts through the built CLI: which ESB layout a matrix is for (told from
// its entries, declared by `esb_layout`, forced by `--esb`) and the keys each layout refuses.
// A refused matrix is a plan error: exit 2, one line per problem naming the file, its
// line:column and the key, and nothing run. The matrices are edits of
// test/fixtures/esb-head's (and esb-legacy's) in a temporary copy.
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectGeneration, layoutCheck } from '../../src/esb/generation';
import { FAKES, REPO, readCalls, runCli, type CliResult } from '../helpers/fake-project';

const HEAD = resolve(REPO, 'test', 'fixtures', 'esb-head');
const LEGACY = resolve(REPO, 'test', 'fixtures', 'esb-legacy');
const MATRIX = 'e2e/environments/test_matrix.yaml';
const CURRENT_LINE = 'ESB layout: current (artifact manifests: fixture images, ctl deploy + provision; port base 18000)';
const LEGACY_LINE = 'ESB layout: legacy (esb deploy of templates, port base 33000)';

let tmp: string;
let head: string;
let legacy: string;
let headMatrix: string;
let legacyMatrix: string;
let n = 0;

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'esb-e2e-generation-')));
  head = join(tmp, 'head');
  legacy = join(tmp, 'legacy');
  cpSync(HEAD, head, { recursive: true });
  cpSync(LEGACY, legacy, { recursive: true });
  headMatrix = readFileSync(join(head, MATRIX), 'utf8');
  legacyMatrix = readFileSync(join(legacy, MATRIX), 'utf8');
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `text` as a matrix next to the project's own (suite targets stay relative to it); its root-relative path. */
function matrix(root: string, text: string): string {
  const rel = `e2e/environments/m${++n}.yaml`;
  writeFileSync(join(root, rel), text);
  return rel;
}

/** `text` with `from` replaced by `to`, which must be there. */
function edit(text: string, from: string, to: string): string {
  expect(text, `the fixture matrix has ${JSON.stringify(from)}`).toContain(from);
  return text.replace(from, to);
}

let runs = 0;

/** The CLI with the fakes first on PATH, each run recording into a folder of its own. */
async function esbE2e(root: string, args: string[]): Promise<CliResult & { calls: unknown[] }> {
  const log = join(tmp, `calls-${++runs}`);
  const result = await runCli(args, {
    cwd: root,
    env: { PATH: `${FAKES}:${process.env.PATH}`, HOME: join(tmp, 'home'), FAKE_LOG: log, ESB_E2E_DOCKER_API: '0', LANG: 'C.UTF-8' },
  });
  return { ...result, calls: readCalls(log) };
}

/** `plan --matrix <rel>`: a plan error, with its lines; nothing was started. */
async function refused(root: string, rel: string, extra: string[] = []): Promise<string> {
  const result = await esbE2e(root, ['plan', '--matrix', rel, ...extra]);
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.calls).toEqual([]);
  return result.stderr;
}

async function planned(root: string, args: string[]): Promise<string> {
  const result = await esbE2e(root, ['plan', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const where = (rel: string, key: string) => new RegExp(`${rel.replace(/\./g, '\\.')}:\\d+:\\d+: ${key.replace(/[[\].]/g, '\\$&')}: `);

describe('a current matrix (entries with artifact_manifest) refuses the legacy keys', () => {
  it('an entry without artifact_manifest', async () => {
    const rel = matrix(head, edit(headMatrix, '  artifact_manifest: e2e/artifacts/e2e-docker/artifact.yml\n', ''));
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'matrix[0].artifact_manifest'));
    expect(err).toContain("is required in ESB's current layout (each env deploys from its artifact manifest)");
    // The other entry has one: nothing said of it.
    expect(err).not.toContain('matrix[1]');
  });

  it('an entry named with esb_env', async () => {
    const rel = matrix(head, edit(headMatrix, '- env: e2e-containerd', '- esb_env: e2e-containerd'));
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'matrix[1].esb_env'));
    expect(err).toContain('ESB\'s current layout names an env with "env:" ("esb_env" is the legacy key)');
  });

  it('deploy_templates in an entry', async () => {
    const rel = matrix(head, edit(headMatrix, '- env: e2e-docker\n', '- env: e2e-docker\n  deploy_templates: [e2e/fixtures/template.yaml]\n'));
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'matrix[0].deploy_templates'));
    expect(err).toContain("is legacy: ESB's current layout deploys the artifact manifest (no template)");
  });

  it('deploy_templates in defaults', async () => {
    const rel = matrix(head, `${headMatrix}\ndefaults:\n  deploy_templates: [e2e/fixtures/template.yaml]\n`);
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'defaults.deploy_templates'));
    expect(err).toContain("is legacy: ESB's current layout deploys each env's artifact manifest");
  });

  it('the legacy deploy CLI (top-level esb)', async () => {
    const rel = matrix(head, `${headMatrix}\nesb: ./bin/esb\n`);
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'esb'));
    expect(err).toContain("names the legacy deploy CLI; ESB's current layout deploys with its ctl (CTL_BIN, else .e2e/bin/esb-ctl)");
  });

  const REMOVED = {
    deploy_driver: 'the deploy comes from the artifact manifest',
    artifact_generate: 'artifacts are generated before the run, not by it',
    image_uri_overrides: 'image URIs come from the artifact manifest',
  };
  for (const [key, why] of Object.entries(REMOVED)) {
    it(`${key}: refused, saying what replaced it`, async () => {
      const rel = matrix(head, edit(headMatrix, '- env: e2e-containerd\n', `- env: e2e-containerd\n  ${key}: something\n`));
      const err = await refused(head, rel);
      expect(err).toMatch(where(rel, `matrix[1].${key}`));
      expect(err).toContain(`"${key}" is no longer supported: ESB's current runner refuses it (${why})`);
      expect(err.trim().split('\n')).toHaveLength(1);
    });
  }

  it('every problem at once, each on its own line with its place', async () => {
    let text = edit(headMatrix, '  artifact_manifest: e2e/artifacts/e2e-docker/artifact.yml\n', '  deploy_templates: [t.yaml]\n');
    text = edit(text, '- env: e2e-containerd\n', '- env: e2e-containerd\n  image_uri_overrides: {}\n');
    const rel = matrix(head, text);
    const lines = (await refused(head, rel)).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toMatch(where(rel, 'matrix[0].artifact_manifest'));
    expect(lines.join('\n')).toMatch(where(rel, 'matrix[0].deploy_templates'));
    expect(lines.join('\n')).toMatch(where(rel, 'matrix[1].image_uri_overrides'));
  });

  it('run with such a matrix: exit 2 before anything is started', async () => {
    const rel = matrix(head, edit(headMatrix, '  artifact_manifest: e2e/artifacts/e2e-docker/artifact.yml\n', ''));
    const result = await esbE2e(head, ['run', '--matrix', rel]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('matrix[0].artifact_manifest');
    expect(result.calls).toEqual([]);
  });
});

describe('which layout: told from the entries, esb_layout, --esb', () => {
  it('the unchanged fixtures: head is current, legacy is legacy (the plan says which)', async () => {
    const current = await planned(head, []);
    expect(current).toContain(CURRENT_LINE);
    expect(current).not.toContain('ESB layout: legacy');
    const old = await planned(legacy, []);
    expect(old).toContain(LEGACY_LINE);
    expect(old).not.toContain('ESB layout: current');
  });

  it('plan --json says the generation', async () => {
    const result = await esbE2e(head, ['plan', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).generation).toBe('current');
  });

  it('--esb current on the legacy matrix: its entries lack artifact_manifest and use esb_env', async () => {
    const err = await refused(legacy, MATRIX, ['--esb', 'current']);
    for (const i of [0, 1]) {
      expect(err).toMatch(where(MATRIX, `matrix[${i}].esb_env`));
      expect(err).toMatch(where(MATRIX, `matrix[${i}].artifact_manifest`));
    }
    expect(err).toContain("is required in ESB's current layout");
  });

  it('--esb legacy on the head matrix: artifact_manifest belongs to the current layout', async () => {
    const err = await refused(head, MATRIX, ['--esb', 'legacy']);
    expect(err).toMatch(where(MATRIX, 'matrix[0].artifact_manifest'));
    expect(err).toMatch(where(MATRIX, 'matrix[1].artifact_manifest'));
    expect(err).toContain("belongs to ESB's current layout, and this matrix is for the legacy one (esb_layout, or --esb)");
  });

  it('esb_layout: legacy in the head matrix does the same', async () => {
    const rel = matrix(head, `esb_layout: legacy\n${headMatrix}`);
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'matrix[0].artifact_manifest'));
    expect(err).toContain('this matrix is for the legacy one');
  });

  it('--esb wins over esb_layout', async () => {
    const rel = matrix(head, `esb_layout: legacy\n${headMatrix}`);
    expect(await planned(head, ['--matrix', rel, '--esb', 'current'])).toContain(CURRENT_LINE);
    const back = matrix(legacy, `esb_layout: current\n${legacyMatrix}`);
    expect(await planned(legacy, ['--matrix', back, '--esb', 'legacy'])).toContain(LEGACY_LINE);
  });

  it('esb_layout: current on a matrix whose entries say nothing makes it current (and then artifact_manifest is required)', async () => {
    const rel = matrix(head, `esb_layout: current\n${edit(edit(headMatrix, '  artifact_manifest: e2e/artifacts/e2e-docker/artifact.yml\n', ''), '  artifact_manifest: e2e/artifacts/e2e-containerd/artifact.yml\n', '')}`);
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'matrix[0].artifact_manifest'));
    expect(err).toMatch(where(rel, 'matrix[1].artifact_manifest'));
    // Without the declaration the same entries are a legacy matrix: what it lacks is a deploy template, not a manifest.
    const told = matrix(head, edit(edit(headMatrix, '  artifact_manifest: e2e/artifacts/e2e-docker/artifact.yml\n', ''), '  artifact_manifest: e2e/artifacts/e2e-containerd/artifact.yml\n', ''));
    const legacyErr = await refused(head, told);
    expect(legacyErr).toContain('deploy template not found: e2e/fixtures/template.yaml');
    expect(legacyErr).not.toContain('artifact_manifest');
  });

  it('esb_layout: current declared on a matrix that is current anyway: planned as current', async () => {
    const rel = matrix(head, `esb_layout: current\n${headMatrix}`);
    expect(await planned(head, ['--matrix', rel])).toContain(CURRENT_LINE);
  });

  it('a bad --esb or esb_layout value is a usage/plan error', async () => {
    const flag = await esbE2e(head, ['plan', '--esb', 'modern']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("argument 'modern' is invalid");
    const rel = matrix(head, `esb_layout: modern\n${headMatrix}`);
    const err = await refused(head, rel);
    expect(err).toMatch(where(rel, 'esb_layout'));
    expect(err).toContain('"legacy", "current"');
  });
});

describe('detectGeneration / layoutCheck (the data the CLI reports)', () => {
  it('forced over declared over told; artifact_manifest on any entry tells current', () => {
    expect(detectGeneration([{ env: 'a' }])).toBe('legacy');
    expect(detectGeneration([{ env: 'a' }, { env: 'b', artifact_manifest: 'm.yml' }])).toBe('current');
    expect(detectGeneration([{ env: 'a', artifact_manifest: 'm' }], 'legacy')).toBe('legacy');
    expect(detectGeneration([{ env: 'a' }], 'legacy', 'current')).toBe('current');
  });

  it('problems at their YAML paths; a legacy matrix refuses esb_project and wants suites', () => {
    expect(layoutCheck({ matrix: [{ env: 'a', artifact_manifest: 'm', esb_project: 'p' }] }, undefined)).toEqual({ generation: 'current', problems: [] });
    const old = layoutCheck({ matrix: [{ esb_env: 'a', esb_project: 'p' }, { esb_env: 'b', suites: [] }] }, undefined);
    expect(old.generation).toBe('legacy');
    expect(old.problems.map(([path, , missing]) => [path.join('.'), !!missing])).toEqual([
      ['matrix.0.esb_project', false],
      ['matrix.0.suites', true],
      ['matrix.1.suites', false],
    ]);
    // esb_env is only a problem when env is absent.
    const both = layoutCheck({ matrix: [{ env: 'a', esb_env: 'a', artifact_manifest: 'm' }] }, 'current');
    expect(both.problems).toEqual([]);
  });
});
