// ESB's current layout (test/fixtures/esb-head, copied per scenario to a temporary folder)
// run with fake docker / python3 and a fake ctl (CTL_BIN): what fails before any env ends the
// run with exit 1 and starts no env (a ctl without `deploy`/`provision`, a CTL_BIN that is
// not executable); what fails inside an env fails that env alone, with a reason that names
// what failed (its artifact manifest missing, a fixture image that does not build or push,
// a gateway container without its credentials).
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHead } from '../helpers/esb-head';
import { FAKES, joined, type Call, type CliResult } from '../helpers/fake-project';
import { httpServer, type TestServer } from '../helpers/servers';

const PYTHON_IMAGE = '127.0.0.1:5010/esb-e2e-image-python:latest';
const JAVA_IMAGE = '127.0.0.1:5010/esb-e2e-image-java:latest';
const SHIM = '127.0.0.1:5010/esb-maven-shim:9c5a2f9c331e15b0';
const ENVS = ['e2e-docker', 'e2e-containerd'] as const;
const CREDENTIALS = ['AUTH_USER=gw-user', 'AUTH_PASS=gw-pass', 'X_API_KEY=gw-key', 'RUSTFS_ACCESS_KEY=gw-ak', 'RUSTFS_SECRET_KEY=gw-sk'];

/** A healthy run: the builder kept, the registry up, each env's gateway found with its credentials. */
const HEALTHY = [
  'docker|*|buildx_buildkit_esb-buildx0|print=host',
  'docker|*|{{.State.Running}} esb-infra-registry|print=true',
  ...ENVS.map((e) => `docker|${e}|ps -q --filter|print=gw-${e}`),
  `docker|*|{{range .Config.Env}}{{println .}}{{end}} gw-|print=${CREDENTIALS.join('\\n')}`,
];

let tmp: string;
let registry: TestServer;
let scenarios = 0;

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'esb-e2e-current-failures-')));
  registry = await httpServer();
  // A ctl that records its calls like the other fakes (its tool name: esb-ctl).
  mkdirSync(join(tmp, 'bin'));
  symlinkSync(join(FAKES, '..', 'fake.sh'), join(tmp, 'bin', 'esb-ctl'));
  writeFileSync(join(tmp, 'bin', 'not-executable'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
});

afterAll(async () => {
  await registry.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Scenario extends CliResult {
  root: string;
  calls: Call[];
  output: string;
  /** Requests the registry got during the run (its readiness wait). */
  registryAsked: number;
}

/**
 * One run on a fresh copy of the fixture. `rules` come before the healthy ones (the first
 * rule that matches wins); `ctl` is CTL_BIN (default: the recording fake ctl).
 */
async function scenario(opts: { rules?: string[]; ctl?: string; args?: string[]; prepare?: (root: string) => void } = {}): Promise<Scenario> {
  const before = registry.requests.length;
  const { result, calls, root } = await runHead(join(tmp, `s${++scenarios}`), ['run', ...(opts.args ?? [])], {
    rules: [...(opts.rules ?? []), ...HEALTHY],
    env: { LANG: 'C.UTF-8', PORT_REGISTRY: String(registry.port), CTL_BIN: opts.ctl ?? join(tmp, 'bin', 'esb-ctl') },
    ...(opts.prepare ? { prepare: opts.prepare } : {}),
  });
  return { ...result, root, calls, output: result.stdout + result.stderr, registryAsked: registry.requests.length - before };
}
const ofEnv = (s: Scenario, env: string) => s.calls.filter((c) => c.env.ENV === env).map(joined);
/** The summary's line for a failed env: `<env> failed: <reason>`. */
const reasonOf = (s: Scenario, env: string) => s.output.split('\n').find((l) => l.startsWith(`${env} failed: `)) ?? '';
/** Did the env get past compose (its compose up), its ctl deploy, its pytest? */
const composeUp = (s: Scenario, env: string) => ofEnv(s, env).some((l) => l.startsWith('docker compose') && l.includes(' up --detach'));
const ctlDeploy = (s: Scenario, env: string) => ofEnv(s, env).some((l) => l.startsWith('esb-ctl deploy --artifact'));
const pytest = (s: Scenario, env: string) => ofEnv(s, env).some((l) => l.startsWith('python3 -m pytest'));

/** Nothing of any env ran: no command with an env's variables, no compose up, no registry. */
function noEnvStarted(s: Scenario): void {
  expect(s.calls.filter((c) => c.env.ENV).map(joined)).toEqual([]);
  expect(s.calls.map(joined).filter((l) => / up( |$)/.test(l))).toEqual([]);
  expect(s.calls.map(joined).filter((l) => l.includes('esb-infra-registry'))).toEqual([]);
  expect(s.registryAsked).toBe(0);
}

describe('the ctl, checked before any env', () => {
  it('`deploy --help` exits 1: exit 1, the ctl and `deploy` named, no env started, no builder warmed up', async () => {
    const s = await scenario({ rules: ['esb-ctl|*|deploy --help|exit=1'] });
    expect(s.code, s.output).toBe(1);
    const ctl = join(tmp, 'bin', 'esb-ctl');
    for (const env of ENVS) {
      expect(reasonOf(s, env)).toContain(`the ctl ${ctl} lacks the \`deploy\` command`);
      expect(reasonOf(s, env)).toContain('`deploy --help`');
    }
    expect(s.calls.filter((c) => c.tool === 'esb-ctl').map(joined)).toEqual(['esb-ctl deploy --help']);
    expect(s.calls.map(joined).filter((l) => l.includes('buildx'))).toEqual([]);
    noEnvStarted(s);
  });

  it('`deploy --help` says "unknown command" (exit 0): the same', async () => {
    const s = await scenario({ rules: ['esb-ctl|*|deploy --help|print=Error: unknown command "deploy" for "esb-ctl"'] });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-docker')).toContain('lacks the `deploy` command');
    expect(reasonOf(s, 'e2e-docker')).toContain('unknown command');
    noEnvStarted(s);
  });

  it('`provision --help` exits 1: checked after deploy, named in the reason', async () => {
    const s = await scenario({ rules: ['esb-ctl|*|provision --help|exit=3'] });
    expect(s.code, s.output).toBe(1);
    expect(s.calls.filter((c) => c.tool === 'esb-ctl').map(joined)).toEqual(['esb-ctl deploy --help', 'esb-ctl provision --help']);
    for (const env of ENVS) {
      expect(reasonOf(s, env)).toContain(`the ctl ${join(tmp, 'bin', 'esb-ctl')} lacks the \`provision\` command`);
      expect(reasonOf(s, env)).toContain('`provision --help`');
    }
    noEnvStarted(s);
  });

  it('`provision --help` prints "unknown command" on stderr only (exit 0): the same', async () => {
    const s = await scenario({ rules: ['esb-ctl|*|provision --help|stderr=Error: unknown command "provision" for "esb-ctl"'] });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-docker')).toContain('it says "unknown command"');
    noEnvStarted(s);
  });

  it('`provision --help` prints "unknown command" on stdout: the same', async () => {
    const s = await scenario({ rules: ['esb-ctl|*|provision --help|print=Error: unknown command "provision" for "esb-ctl"'] });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-containerd')).toContain('lacks the `provision` command');
    expect(reasonOf(s, 'e2e-containerd')).toContain('it says "unknown command"');
    noEnvStarted(s);
  });

  it('CTL_BIN set to a file that is not executable: exit 1, "CTL_BIN is set but not executable", the ctl never run', async () => {
    const file = join(tmp, 'bin', 'not-executable');
    const s = await scenario({ ctl: file });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-docker')).toContain(`CTL_BIN is set but not executable: ${file}`);
    expect(s.calls.filter((c) => c.argv.includes('--help'))).toEqual([]);
    noEnvStarted(s);
  });

  it('CTL_BIN naming a program that is not on PATH: the same', async () => {
    const s = await scenario({ ctl: 'no-such-esb-ctl' });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-containerd')).toContain('CTL_BIN is set but not executable: no-such-esb-ctl');
    noEnvStarted(s);
  });

  it('with --test-only the ctl is not asked (nothing is deployed): a broken one does not stop the run', async () => {
    const s = await scenario({ rules: ['esb-ctl|*|--help|exit=1'], args: ['--test-only', '--env', 'e2e-docker'] });
    expect(s.code, s.output).toBe(0);
    expect(s.calls.filter((c) => c.tool === 'esb-ctl')).toEqual([]);
    expect(pytest(s, 'e2e-docker')).toBe(true);
  });
});

describe('an env whose artifact manifest is missing', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario({ prepare: (root) => rmSync(join(root, 'e2e', 'artifacts', 'e2e-containerd', 'artifact.yml')) });
  }, 20_000);

  it('fails at deploy, naming the manifest and where the matrix names it', () => {
    expect(s.code, s.output).toBe(1);
    const reason = reasonOf(s, 'e2e-containerd');
    expect(reason).toContain('deploy: artifact manifest e2e/artifacts/e2e-containerd/artifact.yml not found');
    expect(reason).toMatch(/e2e\/environments\/test_matrix\.yaml:\d+:\d+/);
    expect(ctlDeploy(s, 'e2e-containerd')).toBe(false);
    expect(ofEnv(s, 'e2e-containerd').filter((l) => l.includes('buildx build') || l.startsWith('docker push'))).toEqual([]);
    expect(pytest(s, 'e2e-containerd')).toBe(false);
  });

  it('the other env runs to the end and passes', () => {
    expect(reasonOf(s, 'e2e-docker')).toBe('');
    expect(ctlDeploy(s, 'e2e-docker')).toBe(true);
    expect(pytest(s, 'e2e-docker')).toBe(true);
    expect(s.output).toMatch(/e2e-docker\s+passed/);
    expect(s.output).toContain('1 passed, 1 failed');
    // The run got past its checks: the registry was waited for.
    expect(s.registryAsked).toBeGreaterThan(0);
  });
});

describe('fixture images that fail', () => {
  it('a fixture image that does not build fails its env (named in the reason), before the ctl deploys; the other env passes', async () => {
    const s = await scenario({ rules: [`docker|e2e-docker|--tag ${PYTHON_IMAGE}|exit=1;stderr=ERROR: failed to solve`] });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-docker')).toContain(`deploy: fixture image ${PYTHON_IMAGE}: build`);
    expect(ofEnv(s, 'e2e-docker').some((l) => l.startsWith(`docker push ${PYTHON_IMAGE}`))).toBe(false);
    expect(ctlDeploy(s, 'e2e-docker')).toBe(false);
    expect(pytest(s, 'e2e-docker')).toBe(false);
    expect(reasonOf(s, 'e2e-containerd')).toBe('');
    expect(pytest(s, 'e2e-containerd')).toBe(true);
  });

  it('a fixture image that does not push fails its env the same way', async () => {
    const s = await scenario({ rules: [`docker|e2e-docker|push ${PYTHON_IMAGE}|exit=1`], args: ['--env', 'e2e-docker'] });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-docker')).toContain(`deploy: fixture image ${PYTHON_IMAGE}: push`);
    expect(ofEnv(s, 'e2e-docker').some((l) => l.startsWith('docker buildx build') && l.includes(`--tag ${PYTHON_IMAGE}`))).toBe(true);
    expect(ctlDeploy(s, 'e2e-docker')).toBe(false);
    expect(pytest(s, 'e2e-docker')).toBe(false);
  });

  it('the maven shim that does not build fails the java fixture image, named in the reason', async () => {
    const s = await scenario({
      rules: [`docker|*|image inspect ${SHIM}|exit=1`, `docker|e2e-containerd|--tag ${SHIM}|exit=1`],
      args: ['--env', 'e2e-containerd'],
    });
    expect(s.code, s.output).toBe(1);
    const reason = reasonOf(s, 'e2e-containerd');
    expect(reason).toContain(`fixture image ${JAVA_IMAGE}`);
    expect(reason).toContain(`maven shim ${SHIM}: build`);
    expect(ofEnv(s, 'e2e-containerd').some((l) => l.includes(`--tag ${JAVA_IMAGE}`))).toBe(false);
    expect(ctlDeploy(s, 'e2e-containerd')).toBe(false);
  });
});

describe('the gateway container after compose up', () => {
  it('lacking credentials (unset or empty) fails the env at compose, naming the missing keys; nothing deployed, nothing saved', async () => {
    const s = await scenario({
      rules: ['docker|e2e-docker|{{range .Config.Env}}{{println .}}{{end}} gw-|print=AUTH_USER=gw-user\\nX_API_KEY=gw-key\\nRUSTFS_SECRET_KEY=\\nPATH=/bin'],
    });
    expect(s.code, s.output).toBe(1);
    const reason = reasonOf(s, 'e2e-docker');
    expect(reason).toContain("compose: the gateway container's environment lacks AUTH_PASS, RUSTFS_ACCESS_KEY, RUSTFS_SECRET_KEY");
    expect(reason).not.toMatch(/lacks.*(AUTH_USER|X_API_KEY)/);
    expect(composeUp(s, 'e2e-docker')).toBe(true);
    expect(ofEnv(s, 'e2e-docker').some((l) => l.includes('buildx build'))).toBe(false);
    expect(ctlDeploy(s, 'e2e-docker')).toBe(false);
    expect(pytest(s, 'e2e-docker')).toBe(false);
    expect(existsSync(join(s.root, '.esb', 'e2e', 'state', 'e2e-docker', 'config', '.env'))).toBe(false);
    // The other env's gateway has them all: it passes and keeps its credentials.
    expect(reasonOf(s, 'e2e-containerd')).toBe('');
    expect(pytest(s, 'e2e-containerd')).toBe(true);
    expect(existsSync(join(s.root, '.esb', 'e2e', 'state', 'e2e-containerd', 'config', '.env'))).toBe(true);
  });

  it('no gateway container at all fails the env, naming the compose project and service', async () => {
    const s = await scenario({ rules: ['docker|e2e-docker|ps -q --filter|print='], args: ['--env', 'e2e-docker'] });
    expect(s.code, s.output).toBe(1);
    expect(reasonOf(s, 'e2e-docker')).toContain('compose: no running gateway container of esb-e2e-docker (compose service "gateway")');
    expect(ctlDeploy(s, 'e2e-docker')).toBe(false);
  });
});
