// `esb-e2e report merge`: shard reports into one (status, times, envs), shard JUnit files
// into one, and one clear message (exit 2) for every kind of bad input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/index';
import { UsageError } from '../../src/errors';
import { junitDocument, junitCases, junitSuites } from '../../src/report/junit-xml';
import { mergeReports, mergedStatus } from '../../src/report/merge';
import { buildReport, reportText } from '../../src/report/json-report';
import { ReportSchema, type Report } from '../../src/report/schema';
import { envResult, suite } from '../helpers/results';

const report = (names: string[], over: Partial<Report> = {}): Report => ({
  ...buildReport(suite(names.map((n) => envResult(n))), { root: '/p', mask: (s) => s }),
  ...over,
});

describe('mergeReports', () => {
  it('concatenates envs, takes the earliest start and the latest end', () => {
    const a = report(['alpha', 'gamma'], { startedAt: '2026-11-25T12:00:10.000Z', durationMs: 50_000 }); // ends 12:01:00
    const b = report(['beta'], { startedAt: '2026-11-25T12:00:00.000Z', durationMs: 30_000 }); // ends 12:00:30
    const merged = mergeReports([
      { file: 'a.json', value: a },
      { file: 'b.json', value: b },
    ]);
    expect(merged.startedAt).toBe('2026-11-25T12:00:00.000Z');
    expect(merged.durationMs).toBe(60_000);
    expect(merged.envs.map((e) => e.name)).toEqual(['alpha', 'gamma', 'beta']);
    expect(merged.status).toBe('passed');
    expect(merged.signal).toBeNull();
    expect(ReportSchema.parse(merged)).toEqual(merged);
  });

  it('status: failed if any failed, cancelled if any cancelled and none failed, else passed', () => {
    expect(mergedStatus(['passed', 'cancelled', 'failed'])).toBe('failed');
    expect(mergedStatus(['passed', 'cancelled'])).toBe('cancelled');
    expect(mergedStatus(['passed', 'passed'])).toBe('passed');
    const merged = mergeReports([
      { file: 'a.json', value: report(['alpha'], { status: 'cancelled', signal: 'SIGTERM' }) },
      { file: 'b.json', value: report(['beta']) },
    ]);
    expect(merged.status).toBe('cancelled');
    expect(merged.signal).toBe('SIGTERM');
  });

  it('refuses an env that is in two shards', () => {
    expect(() =>
      mergeReports([
        { file: 'a.json', value: report(['alpha']) },
        { file: 'b.json', value: report(['beta', 'alpha']) },
      ]),
    ).toThrow(new UsageError('report merge: env "alpha" is in both a.json and b.json (each env must come from one shard)'));
  });
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'esb-e2e-merge-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    argv,
    env: {},
    cwd: dir,
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    context: () => {
      throw new Error('report merge plans nothing');
    },
  } as unknown as Io;
  const code = await main(io);
  return { code, stdout, stderr };
}

const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
const junitOf = (...names: string[]) =>
  junitDocument(names.map((name) => ({ name, cases: junitCases(`<testsuite><testcase classname="t" name="${name}-1" time="1.5"/><testcase classname="t" name="${name}-2" time="0.5"><failure message="x">y</failure></testcase></testsuite>`) })));

describe('esb-e2e report merge', () => {
  it('merges JSON reports into --report and JUnit files into --junit, in one call', async () => {
    write('a.json', reportText(report(['alpha'], { status: 'failed' })));
    write('b.json', reportText(report(['beta'])));
    write('a.xml', junitOf('alpha'));
    write('b.xml', junitOf('beta', 'gamma'));
    const r = await cli('report', 'merge', 'a.json', 'b.json', 'a.xml', 'b.xml', '--report', 'out/all.json', '--junit', 'out/all.xml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('merged 2 reports, 2 envs, failed into out/all.json\nmerged 2 JUnit files, 3 testsuites into out/all.xml\n');
    const merged = ReportSchema.parse(JSON.parse(readFileSync(join(dir, 'out/all.json'), 'utf8')));
    expect(merged.envs.map((e) => e.name)).toEqual(['alpha', 'beta']);
    expect(merged.status).toBe('failed');
    const xml = readFileSync(join(dir, 'out/all.xml'), 'utf8');
    expect(junitSuites(xml).map((s) => [s.name, s.cases.length])).toEqual([
      ['alpha', 2],
      ['beta', 2],
      ['gamma', 2],
    ]);
    expect(xml).toMatch(/<testsuites name="esb-e2e" tests="6" failures="3" errors="0" skipped="0" time="6.000">/);
  });

  it('tells inputs apart by content when the extension says nothing', async () => {
    write('shard-1.out', reportText(report(['alpha'])));
    write('shard-1.junit', junitOf('alpha'));
    const r = await cli('report', 'merge', 'shard-1.out', 'shard-1.junit', '--report', 'all.json', '--junit', 'all.xml');
    expect(r.code).toBe(0);
  });

  const bad: Array<[string, () => void, string[], string]> = [
    ['a missing file', () => undefined, ['nope.json', '--report', 'o.json'], 'esb-e2e: report merge: nope.json: cannot read it: ENOENT (no such file or directory)\n'],
    ['not JSON', () => write('a.json', '{"schemaVersion": 1,'), ['a.json', '--report', 'o.json'], 'esb-e2e: report merge: a.json: not JSON ('],
    [
      'JSON that is not a report',
      () => write('a.json', JSON.stringify({ ...report(['alpha']), status: 'green' })),
      ['a.json', '--report', 'o.json'],
      'esb-e2e: report merge: a.json: not an esb-e2e report (schema version 2): status: ',
    ],
    ['no output option', () => write('a.json', reportText(report(['alpha']))), ['a.json'], 'esb-e2e: report merge: nothing to write: give --report <out.json> for JSON reports and/or --junit <out.xml> for JUnit files\n'],
    ['a JSON input without --report', () => write('a.json', reportText(report(['alpha']))), ['a.json', '--junit', 'o.xml'], 'esb-e2e: report merge: a.json is a JSON report: add --report <out.json> to merge it\n'],
    ['an XML input without --junit', () => write('a.xml', junitOf('alpha')), ['a.xml', '--report', 'o.json'], 'esb-e2e: report merge: a.xml is a JUnit file: add --junit <out.xml> to merge it\n'],
    ['broken XML', () => write('a.xml', '<testsuites><testsuite>'), ['a.xml', '--junit', 'o.xml'], 'esb-e2e: report merge: a.xml: not valid XML: '],
    ['XML that is not JUnit', () => write('a.xml', '<html/>'), ['a.xml', '--junit', 'o.xml'], 'esb-e2e: report merge: a.xml: not a JUnit report: the root element is <html>'],
    ['neither JSON nor XML', () => write('a.txt', 'hello'), ['a.txt', '--report', 'o.json'], 'esb-e2e: report merge: a.txt: neither a JSON report (--report) nor a JUnit XML file (--junit)\n'],
    [
      'the same env in two shards',
      () => (write('a.json', reportText(report(['alpha']))), write('b.json', reportText(report(['alpha'])))),
      ['a.json', 'b.json', '--report', 'o.json'],
      'esb-e2e: report merge: env "alpha" is in both a.json and b.json (each env must come from one shard)\n',
    ],
    [
      'the same testsuite in two JUnit files',
      () => (write('a.xml', junitOf('alpha')), write('b.xml', junitOf('alpha'))),
      ['a.xml', 'b.xml', '--junit', 'o.xml'],
      'esb-e2e: report merge: testsuite "alpha" is in both a.xml and b.xml (each env must come from one shard)\n',
    ],
  ];
  for (const [what, setup, args, message] of bad) {
    it(`${what}: one clear message naming the file, exit 2, nothing written`, async () => {
      setup();
      const r = await cli('report', 'merge', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr.startsWith(message)).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      for (const out of ['o.json', 'o.xml']) expect(() => readFileSync(join(dir, out))).toThrow();
    });
  }

  it('no files, or `report` alone: usage error (exit 2)', async () => {
    expect((await cli('report', 'merge', '--report', 'o.json')).code).toBe(2);
    expect((await cli('report')).code).toBe(2);
    expect((await cli('report', 'merge', 'a.json', '--report', 'o.json', '--', '-x')).code).toBe(2);
  });
});
