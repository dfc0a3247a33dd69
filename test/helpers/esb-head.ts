// ESB's current layout (test/fixtures/esb-head) copied to a fresh folder and run through the
// built CLI with the fake tools first on PATH, and the servers such a run asks: what the
// current layout's integration tests share.
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { FAKES, REPO, readCalls, runCli, type Call, type CliResult } from './fake-project';
import { httpServer, httpsServer, type TestServer } from './servers';

export const HEAD = resolve(REPO, 'test', 'fixtures', 'esb-head');

export interface HeadRun {
  readonly result: CliResult;
  readonly calls: Call[];
  /** The copy's root (real path) and the fakes' call log. */
  readonly root: string;
  readonly log: string;
}

/**
 * `esb-e2e <args>` on a copy of the layout in `dir` (made here): fakes on PATH (after
 * `path`, when given), HOME and the call log inside `dir`, the engine API off, `rules` as
 * FAKE_RULES; `env` adds or overrides variables, `prepare` edits the copy first.
 */
export async function runHead(
  dir: string,
  args: string[],
  opts: { rules?: readonly string[]; env?: Record<string, string>; path?: string; prepare?: (root: string) => void } = {},
): Promise<HeadRun> {
  const copy = join(dir, 'esb');
  cpSync(HEAD, copy, { recursive: true });
  const root = realpathSync(copy);
  opts.prepare?.(root);
  const log = join(dir, 'calls');
  mkdirSync(log, { recursive: true });
  const result = await runCli(args, {
    cwd: root,
    env: {
      PATH: `${opts.path ? `${opts.path}:` : ''}${FAKES}:${process.env.PATH}`,
      HOME: join(dir, 'home'),
      FAKE_LOG: log,
      FAKE_RULES: (opts.rules ?? []).join('\n'),
      ESB_E2E_DOCKER_API: '0',
      ...opts.env,
    },
  });
  return { result, calls: readCalls(log), root, log };
}

/** Gateway credentials as the gateway container's environment would hold them. */
export const GATEWAY_ENV = ['AUTH_USER=u', 'AUTH_PASS=p-0123456789', 'X_API_KEY=k-0123456789', 'RUSTFS_ACCESS_KEY=a', 'RUSTFS_SECRET_KEY=s-0123456789'];

export interface HeadServers {
  /** A temporary folder for the file's runs (one subfolder each). */
  readonly tmp: string;
  readonly registry: TestServer;
  readonly gateway: TestServer;
  /** Fake docker rules: the registry runs, e2e-docker's gateway publishes the test gateway. */
  readonly upRules: () => string[];
}

/**
 * For a file whose runs take e2e-docker up to its tests: a temporary folder, a registry
 * (HTTP) and a gateway (HTTPS) started before its tests and closed after them.
 */
export function headServers(prefix: string): HeadServers {
  let tmp = '';
  let registry: TestServer | undefined;
  let gateway: TestServer | undefined;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), prefix));
    registry = await httpServer();
    gateway = await httpsServer();
  });
  afterAll(async () => {
    await registry?.close();
    await gateway?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const started = <T>(server: T | undefined): T => {
    if (!server) throw new Error('headServers: used before its beforeAll ran');
    return server;
  };
  return {
    get tmp() {
      return tmp;
    },
    get registry() {
      return started(registry);
    },
    get gateway() {
      return started(gateway);
    },
    upRules: () => [
      'docker|*|{{.State.Running}} esb-infra-registry|print=true',
      'docker|e2e-docker|ps -q --filter|print=gw-1',
      `docker|e2e-docker|ps --filter|print=gateway\\t0.0.0.0:${started(gateway).port}->8443/tcp`,
      `docker|*|{{range .Config.Env}}{{println .}}{{end}} gw-|print=${GATEWAY_ENV.join('\\n')}`,
    ],
  };
}
