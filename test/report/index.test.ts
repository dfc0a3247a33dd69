// The reporters by name: which ones a run's options and environment pick, in which order.
import { expect, it } from 'vitest';
import { REPORTERS, createReporters, reporterNames, type ReporterChoice, type ReporterContext } from '../../src/report/index';
import { JsonlReporter } from '../../src/report/jsonl';
import { PlainReporter } from '../../src/report/plain';
import { HtmlReporter } from '../../src/report/html';
import { LiveReporter } from '../../src/report/live';
import { sink } from '../helpers/results';

const base: ReporterChoice = { console: 'plain', verbose: true, color: false, github: false };

it('picks the console format, then GitHub annotations and step summary, then the files', () => {
  expect(reporterNames(base)).toEqual(['plain']);
  expect(reporterNames({ ...base, console: 'jsonl' })).toEqual(['jsonl']);
  expect(reporterNames({ ...base, report: 'r.json', junit: 'j.xml' })).toEqual(['plain', 'json', 'junit']);
  expect(reporterNames({ ...base, console: 'live', html: 'r.html' })).toEqual(['live', 'html']);
  expect(reporterNames({ ...base, github: true })).toEqual(['plain', 'github']);
  expect(reporterNames({ ...base, github: true, stepSummary: '/s.md', junit: 'j.xml' })).toEqual(['plain', 'github', 'step-summary', 'junit']);
  // The step summary is GitHub's: not without GITHUB_ACTIONS.
  expect(reporterNames({ ...base, stepSummary: '/s.md' })).toEqual(['plain']);
});

it('every name is a reporter of its own, made from the same context', () => {
  const { out } = sink();
  const ctx = {
    root: '/p',
    stdout: out,
    stderr: out,
    token: 't',
    size: () => ({ columns: 80, rows: 24 }),
    choice: { ...base, console: 'jsonl', github: true, stepSummary: '/s.md', report: 'r.json', junit: 'j.xml', html: 'r.html' },
  } as unknown as ReporterContext;
  const made = createReporters(ctx);
  expect(made).toHaveLength(6);
  expect(made[0]).toBeInstanceOf(JsonlReporter);
  expect(made[5]).toBeInstanceOf(HtmlReporter);
  expect(Object.keys(REPORTERS).sort()).toEqual(['github', 'html', 'json', 'jsonl', 'junit', 'live', 'plain', 'step-summary']);
  expect(REPORTERS.plain(ctx)).toBeInstanceOf(PlainReporter);
  expect(REPORTERS.live(ctx)).toBeInstanceOf(LiveReporter);
});
