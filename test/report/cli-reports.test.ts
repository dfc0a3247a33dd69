// Through the real CLI with fake docker / esb / python3: `run --report --junit` with one
// passing and one failing env under GitHub Actions, then `report merge` of two shards.
import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, expect, it } from 'vitest';
import { junitSuites } from '../../src/report/junit-xml';
import { ReportSchema } from '../../src/report/schema';
import { makeProject, runCli, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const SECRET = 'sekrit-value-42';
const PYTEST_OUT = 'collected 2 items\\ntests/test_a.py::test_one PASSED\\ntests/test_a.py::test_two FAILED\\n==== 1 passed, 1 failed in 0.10s ====';
const pytestJunit = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="2" time="0.1">
<testcase classname="tests.test_a" name="test_one" time="0.04" />
<testcase classname="tests.test_a" name="test_two" time="0.06"><failure message="assert &quot;a&quot; &lt; 1">token was ${SECRET}</failure></testcase>
</testsuite></testsuites>
`;

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(xml) as {
    testsuites: Record<string, unknown> & { testsuite: Array<Record<string, unknown> & { testcase: Array<Record<string, unknown>> }> };
  };
}

it('run --report --junit under GitHub Actions: the files, the ::error line and the step summary', async () => {
  project = makeProject({ envs: ['alpha', 'beta'] });
  const fixture = join(project.root, 'pytest-junit.xml');
  writeFileSync(fixture, pytestJunit);
  const summary = join(project.root, 'step-summary.md');
  writeFileSync(summary, '# earlier step\n');
  const rules = [`python3|alpha|pytest|print=${PYTEST_OUT};junit=${fixture};exit=1`, 'esb|beta|deploy|print=deploy exploded;exit=3'].join('\n');
  const r = await runCli(['run', '--no-verbose', '--report', 'out/report.json', '--junit', 'out/junit.xml', '--set', `API_TOKEN=${SECRET}`], {
    cwd: project.root,
    env: project.env({ FAKE_RULES: rules, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }),
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);

  // The JSON report: valid, both envs, the failed phase and its reason.
  const report = ReportSchema.parse(JSON.parse(readFileSync(join(project.root, 'out/report.json'), 'utf8')));
  expect(report.status).toBe('failed');
  expect(report.envs.map((e) => [e.name, e.status])).toEqual([
    ['alpha', 'failed'],
    ['beta', 'failed'],
  ]);
  const alpha = report.envs[0]!;
  const beta = report.envs[1]!;
  expect(alpha.tests).toEqual({ collected: 2, passed: 1, failed: 1, skipped: 0, errors: 0 });
  expect(alpha.junit).toBe('e2e/.junit-alpha.xml');
  expect(beta.phases.find((p) => p.name === 'deploy')).toMatchObject({ status: 'failed', error: expect.stringMatching(/esb exited with code 3$/) });
  expect(beta.log).toBe('e2e/.parallel-beta.log');
  expect(beta.composeLog).toBe('e2e/.parallel-beta.compose.log');
  expect(beta.junit).toBeNull();
  // Written atomically: no temp file left next to it.
  expect(readdirSync(join(project.root, 'out')).sort()).toEqual(['junit.xml', 'report.json']);
  expect(readFileSync(join(project.root, 'out/report.json'), 'utf8')).not.toContain(SECRET);

  // The JUnit file: pytest's cases for alpha, a failing deploy case for beta, counts right, secret masked.
  const xml = readFileSync(join(project.root, 'out/junit.xml'), 'utf8');
  expect(xml).not.toContain(SECRET);
  const doc = parse(xml);
  expect(doc.testsuites).toMatchObject({ name: 'esb-e2e', tests: '3', failures: '2', errors: '0', skipped: '0' });
  const [ja, jb] = doc.testsuites.testsuite;
  expect(ja).toMatchObject({ name: 'alpha', tests: '2', failures: '1', time: '0.100' });
  expect(Number(doc.testsuites.time)).toBeCloseTo(Number(ja!.time) + Number(jb!.time), 3);
  expect(ja!.testcase.map((c) => c.name)).toEqual(['test_one', 'test_two']);
  expect(ja!.testcase[1]!.failure).toEqual({ message: 'assert "a" < 1', '#text': 'token was ***' });
  expect(jb).toMatchObject({ name: 'beta', tests: '1', failures: '1' });
  const deploy = jb!.testcase[0] as { classname: string; name: string; failure: { message: string; '#text': string } };
  expect([deploy.classname, deploy.name]).toEqual(['esb-e2e.beta', 'deploy']);
  expect(deploy.failure.message).toBe(beta.phases.find((p) => p.name === 'deploy')!.error);
  expect(deploy.failure['#text']).toContain('deploy exploded');

  // GitHub Actions: annotations after the summary and tails, step summary appended.
  const lines = r.stdout.split('\n');
  const err = lines.findIndex((l) => /^::error title=esb-e2e beta::beta failed in deploy: .*esb exited with code 3$/.test(l));
  expect(err).toBeGreaterThan(0);
  expect(lines).toContain('::error title=esb-e2e alpha::alpha failed in test: pytest: 1 failed');
  expect(lines.findIndex((l) => l.startsWith('::stop-commands::'))).toBe(1);
  const tailAt = lines.findIndex((l) => l.startsWith('--- last '));
  expect(tailAt).toBeGreaterThan(0);
  expect(tailAt).toBeLessThan(err);
  expect(lines.some((l) => l.startsWith('::group::'))).toBe(false);
  const md = readFileSync(summary, 'utf8');
  expect(md.startsWith('# earlier step\n### esb-e2e: failed\n')).toBe(true);
  expect(md).toMatch(/\| beta \| failed \|/);
  expect(md).toMatch(/\*\*beta\*\* failed: deploy: .*esb exited with code 3/);
  // Under the table, the run's timeline: a Mermaid gantt, a section per env, a task per phase.
  const chart = md.slice(md.indexOf('```mermaid\ngantt\n'));
  expect(chart).toMatch(/^```mermaid\ngantt\n[^]*\n```\n$/);
  expect(chart).toContain('    section alpha\n');
  expect(chart).toContain('    section beta\n');
  expect(chart).toMatch(/\n {4}deploy \d+\.\ds :crit, \d+, \d+\n/);
  expect(chart).toMatch(/\n {4}test \d+\.\ds :crit, \d+, \d+\n/);
});

it('a JUnit file left by an earlier run is not taken for this run', async () => {
  project = makeProject({ envs: ['alpha'] });
  mkdirSync(project.logDir, { recursive: true });
  const stale = join(project.logDir, '.junit-alpha.xml');
  writeFileSync(stale, '<testsuites><testsuite name="pytest"><testcase classname="old" name="test_from_yesterday" time="1"/></testsuite></testsuites>');
  const yesterday = new Date(Date.now() - 86_400_000);
  utimesSync(stale, yesterday, yesterday);
  const r = await runCli(['run', '--no-verbose', '--junit', 'junit.xml', '--timeout', 'test=1'], {
    cwd: project.root,
    env: project.env({ FAKE_RULES: 'python3|alpha|pytest|sleep=30' }),
  });
  expect(r.code).toBe(1);
  const suites = junitSuites(readFileSync(join(project.root, 'junit.xml'), 'utf8'));
  expect(suites[0]!.cases.map((c) => c.attrs.name)).toEqual(['test']);
  expect(readFileSync(join(project.root, 'junit.xml'), 'utf8')).toContain('timed out after 1s (pytest wrote no JUnit file (e2e/.junit-alpha.xml))');
});

it('shards: run --shard 1/2 and 2/2, then report merge joins their reports and JUnit files', async () => {
  project = makeProject({ envs: ['alpha', 'beta', 'gamma'] });
  const env = project.env({ FAKE_RULES: 'esb|gamma|deploy|exit=1' });
  for (const shard of ['1', '2']) {
    const r = await runCli(['run', '--no-verbose', '--shard', `${shard}/2`, '--log-dir', `e2e-${shard}`, '--report', `shard-${shard}.json`, '--junit', `shard-${shard}.xml`], {
      cwd: project.root,
      env,
    });
    expect(r.code).toBe(shard === '1' ? 1 : 0);
  }
  const m = await runCli(['report', 'merge', 'shard-1.json', 'shard-2.json', 'shard-1.xml', 'shard-2.xml', '--report', 'all.json', '--junit', 'all.xml'], { cwd: project.root, env });
  expect(m.stderr).toBe('');
  expect(m.code).toBe(0);
  const all = ReportSchema.parse(JSON.parse(readFileSync(join(project.root, 'all.json'), 'utf8')));
  expect(all.status).toBe('failed');
  expect(all.envs.map((e) => e.name)).toEqual(['alpha', 'gamma', 'beta']);
  const doc = parse(readFileSync(join(project.root, 'all.xml'), 'utf8'));
  expect(doc.testsuites.testsuite.map((s) => s.name)).toEqual(['alpha', 'gamma', 'beta']);
  expect(doc.testsuites).toMatchObject({ tests: '1', failures: '1' });

  const dup = await runCli(['report', 'merge', 'shard-1.json', 'shard-1.json', '--report', 'x.json'], { cwd: project.root, env });
  expect(dup.code).toBe(2);
  expect(dup.stderr).toBe('esb-e2e: report merge: env "alpha" is in both shard-1.json and shard-1.json (each env must come from one shard)\n');
});

it('a report that cannot be written at the end (a full disk): a message naming it, and exit 1 even when every env passed', async () => {
  project = makeProject({ envs: ['alpha'] });
  const full = join(project.root, 'full');
  mkdirSync(full);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', full]);
  try {
    writeFileSync(join(full, 'filler'), 'x'.repeat(4096));
    const r = await runCli(['run', '--no-verbose', '--report', 'full/report.json'], { cwd: project.root, env: project.env() });
    expect(r.stdout).toContain('[alpha] passed');
    expect(r.stderr).toMatch(/^esb-e2e: --report full\/report\.json: cannot write it: ENOSPC/);
    expect(r.code).toBe(1);
  } finally {
    execFileSync('umount', [full]);
  }
});

it('a report path under a file: refused before anything starts (exit 2)', async () => {
  project = makeProject({ envs: ['alpha'] });
  writeFileSync(join(project.root, 'blocker'), 'a file');
  const r = await runCli(['run', '--no-verbose', '--report', 'blocker/report.json'], { cwd: project.root, env: project.env() });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^esb-e2e: --report blocker\/report\.json: .*blocker is a file, not a folder\n$/);
  expect(project.calls()).toEqual([]);
});

it('beside --reporter jsonl under GitHub Actions: stdout stays JSON lines, the annotations go to stderr', async () => {
  project = makeProject({ envs: ['alpha'] });
  const r = await runCli(['run', '--reporter', 'jsonl'], {
    cwd: project.root,
    env: project.env({ FAKE_RULES: 'esb|alpha|deploy|exit=3', GITHUB_ACTIONS: 'true' }),
  });
  expect(r.code).toBe(1);
  for (const line of r.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  expect(r.stderr).toMatch(/^::error title=esb-e2e alpha::alpha failed in deploy: .*esb exited with code 3\n$/);
});

it('run --html: one self-contained page with the timeline, each env, and a failed env tail (escaped, masked)', async () => {
  project = makeProject({ envs: ['alpha', 'beta'] });
  const rules = [`python3|alpha|pytest|print=${PYTEST_OUT}\\n<script>alert(1)</script> token ${SECRET};exit=1`].join('\n');
  const r = await runCli(['run', '--no-verbose', '--html', 'out/run.html', '--set', `API_TOKEN=${SECRET}`], { cwd: project.root, env: project.env({ FAKE_RULES: rules }) });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('');
  const html = readFileSync(join(project.root, 'out/run.html'), 'utf8');
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).toContain('esb-e2e: FAILED');
  // Nothing to fetch: no external resource, no script; outside the log tails (text), no URL at all.
  expect(html).not.toMatch(/src=|url\(|<script|<link|<img|<iframe|@import/i);
  expect(html.replace(/<pre>[^]*?<\/pre>/g, '')).not.toMatch(/https?:|\/\//i);
  expect(html.match(/href="([^"]*)"/g) ?? []).toEqual(['href="#failed-0"']);
  // The timeline: a row per env, a bar per phase that ran, coloured by how it ended.
  expect(html.match(/<div class="bar passed"/g)?.length).toBeGreaterThanOrEqual(7);
  expect(html).toMatch(/<div class="bar failed"[^>]*title="test failed \d+\.\ds"/);
  // The failed env's reason and tail, escaped; the secret masked.
  expect(html).toContain('<h2 class="failed">alpha failed</h2>');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; token ***');
  expect(html).not.toContain(SECRET);
  expect(readdirSync(join(project.root, 'out'))).toEqual(['run.html']);
});

it('an --html path that is a folder: refused before anything starts (exit 2)', async () => {
  project = makeProject({ envs: ['alpha'] });
  mkdirSync(join(project.root, 'out.html'));
  const r = await runCli(['run', '--html', 'out.html'], { cwd: project.root, env: project.env() });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^esb-e2e: --html out\.html: .*folder/);
  expect(project.calls()).toEqual([]);
});
