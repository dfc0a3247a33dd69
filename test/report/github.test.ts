// The GitHub Actions reporters: ::error / ::warning annotations with GitHub's escaping,
// workflow commands switched off while the run prints (so no child line or log tail can
// fold or inject), and the markdown summary handed to the injected step-summary writer.
import { expect, it } from 'vitest';
import type { RunEvent } from '../../src/events';
import { GithubReporter, annotations, escapeData, escapeProperty, failureMessage } from '../../src/report/github';
import { PlainReporter } from '../../src/report/plain';
import { StepSummaryReporter } from '../../src/report/step-summary';
import { summaryMarkdown } from '../../src/report/summary';
import { envResult, sink, suite } from '../helpers/results';

const deployFailed = envResult('beta', {
  status: 'failed',
  error: 'deploy: esb exited with code 3',
  phases: [
    { name: 'reset', status: 'passed', durationMs: 1, error: null },
    { name: 'compose', status: 'passed', durationMs: 1, error: null },
    { name: 'deploy', status: 'failed', durationMs: 1, error: 'esb exited with code 3' },
    { name: 'test', status: 'skipped', durationMs: 0, error: null },
  ],
  tail: ['::group::sneaky', 'deploy exploded'],
});

it('escapes data (% CR LF) and properties (also : and ,) as GitHub reads them', () => {
  expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
  expect(escapeProperty('esb-e2e a:b,c%\n')).toBe('esb-e2e a%3Ab%2Cc%25%0A');
});

it('one ::error per failed env naming its phase and reason, a ::warning per cancelled env, nothing for passed ones', () => {
  const multiLine = envResult('gamma', {
    status: 'failed',
    error: 'test: timed out',
    phases: [{ name: 'test', status: 'failed', durationMs: 1, error: 'timed out after 50% of\nforever' }],
  });
  const noPhase = envResult('delta', { status: 'failed', error: 'cannot write its log e2e/x: EACCES', phases: [] });
  const cancelled = envResult('eps', { status: 'cancelled', error: 'cancelled before it started' });
  expect(annotations(suite([envResult('alpha'), deployFailed, multiLine, noPhase, cancelled]))).toEqual([
    '::error title=esb-e2e beta::beta failed in deploy: esb exited with code 3',
    '::error title=esb-e2e gamma::gamma failed in test: timed out after 50%25 of%0Aforever',
    '::error title=esb-e2e delta::delta failed: cannot write its log e2e/x: EACCES',
    '::warning title=esb-e2e eps::eps cancelled: cancelled before it started',
  ]);
  expect(failureMessage(deployFailed)).toBe('beta failed in deploy: esb exited with code 3');
});

it('after the plain summary and its log tails: commands back on, then the annotations; the step summary gets the markdown table', async () => {
  const { out, text } = sink();
  const appended: string[] = [];
  const bus = [
    new PlainReporter(out, { verbose: true, color: false, root: '/p' }),
    new GithubReporter(out, { token: 'tok123' }),
    new StepSummaryReporter('/p', async (md) => void appended.push(md)),
  ];
  const result = suite([envResult('alpha'), deployFailed]);
  const events: RunEvent[] = [
    { type: 'suite_start', runId: '0123456789abcdef', envs: ['alpha', 'beta'], jobs: 2, startedAt: result.startedAt },
    { type: 'output', env: 'beta', phase: 'deploy', lines: ['::error::not from us'] },
    { type: 'suite_end', result },
  ];
  for (const e of events) for (const r of bus) r.onEvent(e);
  for (const r of bus) await r.close();
  const lines = text().split('\n');
  const stop = lines.indexOf('::stop-commands::tok123');
  const resume = lines.indexOf('::tok123::');
  const tail = lines.indexOf('::group::sneaky');
  const error = lines.indexOf('::error title=esb-e2e beta::beta failed in deploy: esb exited with code 3');
  expect(lines[0]).toBe('[suite] started');
  expect(stop).toBe(1);
  // The raw log tail is printed while commands are off: it cannot open a group.
  expect(stop < tail && tail < resume && resume < error).toBe(true);
  expect(lines.filter((l) => l.startsWith('::group::'))).toEqual(['::group::sneaky']);
  expect(lines.filter((l) => l.startsWith('::endgroup::'))).toEqual([]);
  expect(appended).toEqual([summaryMarkdown(result, '/p')]);
  expect(appended[0]).toContain('| beta | failed |');
});

it('without $GITHUB_STEP_SUMMARY it only prints; close waits for a slow summary write', async () => {
  const { out, text } = sink();
  new GithubReporter(out, { token: 't' }).onEvent({ type: 'suite_end', result: suite([deployFailed]) });
  expect(text()).toBe('::error title=esb-e2e beta::beta failed in deploy: esb exited with code 3\n');

  let done = false;
  const slow = new StepSummaryReporter('/p', () => new Promise<void>((resolve) => setTimeout(() => ((done = true), resolve()), 30)));
  slow.onEvent({ type: 'suite_end', result: suite([envResult('alpha')]) });
  await slow.close();
  expect(done).toBe(true);
});

it('interrupt() (a second Ctrl-C) switches commands back on once', () => {
  const { out, text } = sink();
  const r = new GithubReporter(out, { token: 'tk' });
  r.onEvent({ type: 'suite_start', runId: '0123456789abcdef', envs: [], jobs: 1, startedAt: '' });
  r.interrupt();
  r.interrupt();
  expect(text()).toBe('::stop-commands::tk\n::tk::\n');
});

it('the step summary: the table, then a Mermaid gantt of the phases at their time of day', async () => {
  const appended: string[] = [];
  let now = 1000;
  const r = new StepSummaryReporter('/p', async (md) => void appended.push(md), () => now);
  const result = suite([envResult('alpha', { status: 'failed', error: 'deploy: boom' })]);
  const at = (ms: number, e: RunEvent) => ((now = 1000 + ms), r.onEvent(e));
  at(0, { type: 'suite_start', runId: result.runId, envs: ['alpha'], jobs: 1, startedAt: result.startedAt });
  at(10, { type: 'phase_start', env: 'alpha', phase: 'reset' });
  at(1210, { type: 'phase_end', env: 'alpha', phase: 'reset', status: 'passed', durationMs: 1200 });
  at(1210, { type: 'phase_start', env: 'alpha', phase: 'deploy' });
  at(5210, { type: 'phase_end', env: 'alpha', phase: 'deploy', status: 'failed', durationMs: 4000 });
  at(5300, { type: 'suite_end', result });
  await r.close();
  const t0 = Date.parse(result.startedAt);
  expect(appended).toHaveLength(1);
  expect(appended[0]!.startsWith(summaryMarkdown(result, '/p') + '\n```mermaid\ngantt\n')).toBe(true);
  expect(appended[0]).toContain(`    section alpha\n    reset 1.2s :done, ${t0 + 10}, ${t0 + 1210}\n    deploy 4.0s :crit, ${t0 + 1210}, ${t0 + 5210}\n`);
});
