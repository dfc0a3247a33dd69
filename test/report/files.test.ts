// After a run: the --report and --junit reporters write their files atomically (no temp
// file left, parent dirs made), masked with every secret the plan knows, and say clearly
// when a file cannot be written.
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SuiteResult } from '../../src/events';
import { readIfFresh, writeFileAtomic } from '../../src/io/files';
import type { Plan } from '../../src/plan/types';
import { ReportSchema } from '../../src/report/schema';
import { reporting } from '../../src/run/reporting';
import { envResult, sink, suite } from '../helpers/results';

/** The reporters a run with these files would have, fed its end; what they could not write. */
async function writeRunReports(result: SuiteResult, p: Plan, files: { report: string | undefined; junit: string | undefined }, cwd: string): Promise<string[]> {
  const { out } = sink();
  const io = { env: {}, cwd, stdout: sink().stream, stderr: sink().stream };
  const { reporters, problems } = reporting(p, { reporter: 'plain', color: 'never', verbose: false, ...files }, io, out);
  for (const r of reporters) r.onEvent({ type: 'suite_end', result });
  for (const r of reporters) await r.close?.();
  return problems;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'esb-e2e-outputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plan = (root: string) =>
  ({
    root,
    base: { CI_DEPLOY_TOKEN: 'base-secret-123' },
    envs: [{ name: 'alpha', env: { AUTH_PASS: 'env-secret-456' } }],
  }) as unknown as Plan;

it('writes both files, masked with the base env and each env secret, into directories it makes', async () => {
  const env = envResult('alpha', {
    status: 'failed',
    error: 'deploy: login with base-secret-123 refused',
    junit: join(dir, 'e2e', '.junit-alpha.xml'),
    phases: [{ name: 'test', status: 'failed', durationMs: 5, error: 'pytest exited with code 1' }],
  });
  const result = suite([env], { startedAt: new Date(Date.now() - 1000).toISOString() });
  const pytest = '<testsuites><testsuite name="pytest"><testcase classname="t" name="x" time="1"><failure message="env-secret-456">base-secret-123</failure></testcase></testsuite></testsuites>';
  writeFileAtomic(join(dir, 'e2e', '.junit-alpha.xml'), pytest);
  const problems = await writeRunReports(result, plan(dir), { report: 'a/b/report.json', junit: 'a/b/junit.xml' }, dir);
  expect(problems).toEqual([]);
  expect(readdirSync(join(dir, 'a', 'b')).sort()).toEqual(['junit.xml', 'report.json']);
  const json = readFileSync(join(dir, 'a/b/report.json'), 'utf8');
  const xml = readFileSync(join(dir, 'a/b/junit.xml'), 'utf8');
  for (const text of [json, xml]) {
    expect(text).not.toContain('base-secret-123');
    expect(text).not.toContain('env-secret-456');
  }
  expect(ReportSchema.parse(JSON.parse(json)).envs[0]!.error).toBe('deploy: login with *** refused');
  expect(xml).toContain('<failure message="***">***</failure>');
});

it('says which file it could not write, and goes on with the other', async () => {
  writeFileSync(join(dir, 'blocker'), 'a file, not a directory');
  const problems = await writeRunReports(suite([envResult('alpha')]), plan(dir), { report: 'blocker/report.json', junit: 'junit.xml' }, dir);
  expect(problems).toEqual([expect.stringMatching(/^--report blocker\/report\.json: cannot write it: (ENOTDIR|EEXIST)/)]);
  expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="alpha"');
});

it('writes nothing without --report or --junit', async () => {
  expect(await writeRunReports(suite([envResult('alpha')]), plan(dir), { report: undefined, junit: undefined }, dir)).toEqual([]);
  expect(readdirSync(dir)).toEqual([]);
});

it('writeFileAtomic replaces a file whole; readIfFresh ignores files older than the run', () => {
  const file = join(dir, 'f.txt');
  writeFileAtomic(file, 'one');
  writeFileAtomic(file, 'two');
  expect(readFileSync(file, 'utf8')).toBe('two');
  expect(readdirSync(dir)).toEqual(['f.txt']);
  expect(readIfFresh(file, Date.now())).toBe('two');
  const old = new Date(Date.now() - 60_000);
  utimesSync(file, old, old);
  expect(readIfFresh(file, Date.now())).toBeUndefined();
  expect(readIfFresh(join(dir, 'missing'), 0)).toBeUndefined();
});
