// The HTML report: one page that needs nothing from outside, every text from the run escaped,
// a timeline with a bar per phase, the summary table, and each failure with its log's tail;
// the reporter writes it through the context and says when it cannot.
import { expect, it } from 'vitest';
import type { RunEvent, SuiteResult } from '../../src/events';
import type { FileReporterContext } from '../../src/report/files';
import { axisTicks, htmlReport, HtmlReporter } from '../../src/report/html';
import type { TimelineBar } from '../../src/report/timeline';
import { envResult, suite } from '../helpers/results';

const failed = envResult('beta<i>', {
  status: 'failed',
  error: 'deploy: <b>refused</b> & "gone"',
  phases: [
    { name: 'reset', status: 'passed', durationMs: 1000, error: null },
    { name: 'compose', status: 'passed', durationMs: 2000, error: null },
    { name: 'deploy', status: 'failed', durationMs: 4000, error: '<b>refused</b>' },
    { name: 'test', status: 'skipped', durationMs: 0, error: null },
  ],
  tests: { collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 },
  log: '/p/e2e/.parallel-beta.log',
  composeLog: '/p/e2e/.compose-beta.log',
  tail: ['step 1 ok', "</pre><script>alert(1)</script> it's \x1b[31mred\x1b[0m"],
});
const result: SuiteResult = suite([envResult('alpha'), failed], { runId: 'run-<7>', durationMs: 90_000 });
const bars: TimelineBar[] = [
  { env: 'alpha', phase: 'reset', startMs: 0, endMs: 1200, status: 'passed' },
  { env: 'beta<i>', phase: 'reset', startMs: 0, endMs: 1000, status: 'passed' },
  { env: 'alpha', phase: 'compose', startMs: 1200, endMs: 4600, status: 'passed' },
  { env: 'beta<i>', phase: 'deploy', startMs: 3000, endMs: 7000, status: 'failed' },
  { env: 'alpha', phase: 'deploy', startMs: 4600, endMs: 4600, status: 'cancelled' },
];

it('escapes every text from the run: env names, errors, tails, paths, the run id', () => {
  const html = htmlReport(result, bars, '/p');
  expect(html).not.toContain('<script');
  expect(html).not.toContain('</pre><script>');
  expect(html).not.toContain('<b>');
  expect(html).not.toContain('<i>');
  expect(html).not.toContain('run-<7>');
  expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; it&#39;s red');
  expect(html).toContain('deploy: &lt;b&gt;refused&lt;/b&gt; &amp; &quot;gone&quot;');
  expect(html).toContain('beta&lt;i&gt; failed');
  expect(html).toContain('run-&lt;7&gt;');
  // Colour codes are gone, not escaped into the page.
  expect(html).not.toContain('\x1b');
  // Only one <pre> and it closes once: the tail cannot end it early.
  expect(html.match(/<pre>/g)).toHaveLength(1);
  expect(html.match(/<\/pre>/g)).toHaveLength(1);
});

it('refers to nothing outside the page: inline style, no script, no URL, links only to its own anchors', () => {
  const html = htmlReport(result, bars, '/p');
  expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
  expect(html).toMatch(/<style>[\s\S]*<\/style>/);
  expect(html).not.toMatch(/http/i);
  expect(html).not.toContain('//');
  expect(html).not.toContain('src=');
  expect(html).not.toContain('url(');
  expect(html).not.toContain('@import');
  expect(html).not.toMatch(/<(script|link|img|iframe|object)\b/i);
  const hrefs = html.match(/href="[^"]*"/g) ?? [];
  expect(hrefs).toEqual(['href="#failed-1"']);
  expect(html).toContain('<section id="failed-1">');
});

it("heads the page with the run's status, id, start and duration", () => {
  const html = htmlReport(result, bars, '/p');
  expect(html).toContain('<title>esb-e2e FAILED: run run-&lt;7&gt;</title>');
  expect(html).toContain('<h1 class="failed">esb-e2e: FAILED</h1>');
  expect(html).toContain('started 2026-11-25T12:00:00.000Z, took 1m30s: 1 passed, 1 failed, 0 cancelled');
});

it('draws one row per env and a bar per phase, placed and sized by time, with a tooltip, over an axis', () => {
  const html = htmlReport(result, bars, '/p');
  const rows = html.match(/<div class="row">.*<\/div><\/div>/g) ?? [];
  expect(rows).toHaveLength(2);
  expect(rows[0]).toContain('title="alpha">alpha<');
  expect(rows[0]!.match(/class="bar /g)).toHaveLength(3);
  // 90 s span: compose runs from 1.2 s to 4.6 s.
  expect(rows[0]).toContain('<div class="bar passed" style="left:1.33%;width:3.78%" title="compose passed 3.4s"></div>');
  expect(rows[0]).toContain('<div class="bar cancelled" style="left:5.11%;width:0%" title="deploy cancelled 0.0s"></div>');
  expect(rows[1]).toContain('<div class="bar failed" style="left:3.33%;width:4.44%" title="deploy failed 4.0s"></div>');
  expect(html).toContain('<div class="axis"><span style="left:0%">0s</span><span style="left:16.67%">15s</span>');
  expect(html).toContain('<span style="left:100%">1m30s</span></div>');
});

it("stretches the timeline to a bar that ends after the run's own duration, and rows envs only the bars know", () => {
  const html = htmlReport(suite([envResult('a')], { durationMs: 1000 }), [{ env: 'ghost', phase: 'test', startMs: 1000, endMs: 2000, status: 'passed' }], '/p');
  expect(html).toContain('title="ghost">ghost<');
  expect(html).toContain('style="left:50%;width:50%"');
});

it("tabulates each env: status, each phase's time, tests, its log relative to the root", () => {
  const html = htmlReport(result, bars, '/p');
  expect(html).toContain('<tr><th>env</th><th>status</th><th>reset</th><th>compose</th><th>deploy</th><th>test</th><th>tests</th><th>log</th></tr>');
  expect(html).toContain('<td>alpha</td><td class="passed">passed</td><td class="passed" title="passed">1.2s</td>');
  expect(html).toContain('<td>3 passed</td><td><code>e2e/.parallel-alpha.log</code></td></tr>');
  expect(html).toContain('<td class="failed" title="failed">4.0s</td><td class="skipped">-</td><td>-</td>');
  expect(html).toContain("Containers' state and logs: <code>e2e/.compose-beta.log</code>");
  expect(html).toContain('Last 2 lines of e2e/.parallel-beta.log:');
  expect(html).not.toContain('<th>cleanup</th>');
});

it('is the same page for the same run, and says so when no env ran', () => {
  expect(htmlReport(result, bars, '/p')).toBe(htmlReport(structuredClone(result), structuredClone(bars), '/p'));
  const empty = htmlReport(suite([], { status: 'cancelled', signal: 'SIGINT' }), [], '/p');
  expect(empty).toContain('No env ran.');
  expect(empty).toContain('Stopped by SIGINT.');
  expect(empty).not.toContain('Timeline');
});

it('ticks the axis at a handful of round times', () => {
  expect(axisTicks(1)).toEqual([0]);
  expect(axisTicks(7500)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
  expect(axisTicks(90_000)).toEqual([0, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000]);
  expect(axisTicks(10 * 3_600_000)).toEqual([0, 2, 4, 6, 8, 10].map((h) => h * 3_600_000));
});

/** A context that keeps what it writes and the problems it is told; `mask` hides `hunter22`. */
function context(write?: (path: string, text: string) => void) {
  const files = new Map<string, string>();
  const problems: string[] = [];
  const ctx: FileReporterContext = {
    root: '/p',
    mask: (text) => text.replaceAll('hunter22', '***'),
    write: write ?? ((path, text) => void files.set(path, text)),
    read: () => undefined,
    problem: (message) => void problems.push(message),
    errorText: (error) => (error instanceof Error ? error.message : String(error)),
  };
  return { ctx, files, problems };
}

function run(reporter: HtmlReporter, clock: { now: number }, end: SuiteResult): void {
  const at = (t: number, e: RunEvent) => {
    clock.now = t;
    reporter.onEvent(e);
  };
  at(1000, { type: 'suite_start', runId: end.runId, envs: ['alpha'], jobs: 1, startedAt: end.startedAt });
  at(1000, { type: 'phase_start', env: 'alpha', phase: 'reset' });
  at(2000, { type: 'phase_end', env: 'alpha', phase: 'reset', status: 'passed', durationMs: 1000 });
  at(2000, { type: 'phase_start', env: 'alpha', phase: 'compose' });
  at(3000, { type: 'env_end', env: 'alpha', status: 'cancelled', durationMs: 2000 });
  at(3000, { type: 'suite_end', result: end });
}

it('writes the page through the context once the run ends, timed by its clock, masked', async () => {
  const { ctx, files, problems } = context();
  const clock = { now: 0 };
  const reporter = new HtmlReporter('out/report.html', ctx, () => clock.now);
  await reporter.close();
  expect(files.size).toBe(0);
  const end = suite([envResult('alpha', { status: 'failed', error: 'login hunter22 & refused', tail: ['pw=hunter22'] })], { durationMs: 2000 });
  run(reporter, clock, end);
  await reporter.close();
  expect(problems).toEqual([]);
  const html = files.get('out/report.html')!;
  expect(html).toBe(htmlReport({ ...end, envs: [{ ...end.envs[0]!, error: 'login *** & refused', tail: ['pw=***'] }] }, [
    { env: 'alpha', phase: 'reset', startMs: 0, endMs: 1000, status: 'passed' },
    { env: 'alpha', phase: 'compose', startMs: 1000, endMs: 2000, status: 'cancelled' },
  ], '/p'));
  expect(html).not.toContain('hunter22');
  expect(html).toContain('login *** &amp; refused');
});

it('reports a page it cannot write as a problem, and does not throw', async () => {
  const { ctx, problems } = context(() => {
    throw new Error('EACCES: permission denied');
  });
  const clock = { now: 0 };
  const reporter = new HtmlReporter('report.html', ctx, () => clock.now);
  run(reporter, clock, suite([envResult('alpha')]));
  await expect(reporter.close()).resolves.toBeUndefined();
  expect(problems).toEqual(['--html report.html: cannot write it: EACCES: permission denied']);
});
