// ESB's current layout (test/fixtures/esb-head) copied to a fresh folder and run through the
// built CLI with the fake tools first on PATH: what the current layout's integration tests share.
import { cpSync, mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FAKES, REPO, readCalls, runCli, type Call, type CliResult } from './fake-project';

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

/** A call as one line: the tool, then its arguments. */
export const joined = (c: Call) => [c.tool, ...c.argv].join(' ');
