// `--html <file>`: one self-contained page about a run, to open from disk or keep as a CI
// artefact: status, a timeline of every env's phases, the summary table, and why each failed
// env failed. Inline CSS only; no script, no font, no image, no link out: nothing to fetch.
import type { EnvResult, PhaseId, Reporter, RunEvent, SuiteResult } from '../events';
import { maskEvent } from '../events';
import { display, duration, elapsed } from '../format';
import { stripAnsi } from '../mask';
import type { FileReporterContext } from './files';
import { stillUp, testsCell, usedColumns } from './summary';
import { Timeline, type TimelineBar } from './timeline';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1f2328;background:#fff}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .5em}
code,pre{font-family:ui-monospace,monospace}
.passed{color:#1a7f37}.failed{color:#cf222e}.cancelled{color:#9a6700}.skipped{color:#8c959f}
.meta{color:#59636e}
.tl{border:1px solid #d1d9e0;border-radius:6px;padding:8px}
.row{display:flex;align-items:center;height:22px}
.name{width:12em;flex:none;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:8px}
.track{position:relative;flex:1;height:16px;background:#f6f8fa}
.bar{position:absolute;top:0;height:16px;min-width:2px;box-sizing:border-box;border-right:1px solid #fff}
.bar.passed{background:#4ac26b}.bar.failed{background:#e5534b}.bar.cancelled{background:#d4a72c}
.axis{position:relative;height:18px;margin-left:12em;color:#59636e;font-size:12px}
.axis span{position:absolute;transform:translateX(-50%)}
table{border-collapse:collapse}th,td{border:1px solid #d1d9e0;padding:3px 8px;text-align:left}
th{background:#f6f8fa}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:40em}
`;

/** Text from the run, safe in an element or a quoted attribute: no colour codes, no markup. */
function esc(text: string): string {
  return stripAnsi(text)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A percentage for a CSS position, short and locale-free. */
function pct(ms: number, span: number): string {
  return `${Math.round((Math.max(0, ms) / span) * 10_000) / 100}%`;
}

/** The whole page; the same result and bars give the same bytes (no clock read here). */
export function htmlReport(result: SuiteResult, bars: readonly TimelineBar[], root: string): string {
  const label = result.status.toUpperCase();
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>esb-e2e ${label}: run ${esc(result.runId)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...heading(result),
    ...timeline(result, bars),
    ...envTable(result, root),
    ...failures(result, root),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function heading(result: SuiteResult): string[] {
  const counts = (['passed', 'failed', 'cancelled'] as const).map((s) => `${result.envs.filter((e) => e.status === s).length} ${s}`);
  const lines = [
    `<h1 class="${result.status}">esb-e2e: ${result.status.toUpperCase()}</h1>`,
    `<p class="meta">run <code>${esc(result.runId)}</code>, started ${esc(result.startedAt)}, took ${duration(result.durationMs)}: ${counts.join(', ')}</p>`,
  ];
  if (result.signal) lines.push(`<p class="cancelled">Stopped by ${esc(result.signal)}.</p>`);
  const up = stillUp(result);
  if (up) lines.push(`<p>${esc(up)}</p>`);
  return lines;
}

/** One row per env (the result's, then any only the bars know), one bar per phase. */
function timeline(result: SuiteResult, bars: readonly TimelineBar[]): string[] {
  const names = [...new Set([...result.envs.map((e) => e.name), ...bars.map((b) => b.env)])];
  if (names.length === 0) return [];
  const span = Math.max(1, result.durationMs, ...bars.map((b) => b.endMs));
  const lines = ['<h2>Timeline</h2>', '<div class="tl">'];
  for (const name of names) {
    const own = bars.filter((b) => b.env === name).map((b) => bar(b, span));
    lines.push(`<div class="row"><div class="name" title="${esc(name)}">${esc(name)}</div><div class="track">${own.join('')}</div></div>`);
  }
  const ticks = axisTicks(span).map((ms) => `<span style="left:${pct(ms, span)}">${elapsed(ms)}</span>`);
  lines.push(`<div class="axis">${ticks.join('')}</div>`, '</div>');
  return lines;
}

function bar(b: TimelineBar, span: number): string {
  const ms = Math.max(0, b.endMs - b.startMs);
  const tip = `${b.phase} ${b.status} ${duration(ms)}`;
  return `<div class="bar ${b.status}" style="left:${pct(b.startMs, span)};width:${pct(ms, span)}" title="${esc(tip)}"></div>`;
}

/** A handful of round times across the span: every 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min or hours. */
export function axisTicks(spanMs: number): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  const step = steps.find((s) => spanMs / s <= 8) ?? Math.ceil(spanMs / 8 / 3_600_000) * 3_600_000;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs; t += step) ticks.push(t);
  return ticks;
}

function phaseCell(env: EnvResult, phase: PhaseId): string {
  const p = env.phases.find((x) => x.name === phase);
  if (!p || p.status === 'skipped') return '<td class="skipped">-</td>';
  return `<td class="${p.status}" title="${p.status}">${duration(p.durationMs)}</td>`;
}

function envTable(result: SuiteResult, root: string): string[] {
  if (result.envs.length === 0) return ['<p>No env ran.</p>'];
  const columns = usedColumns(result);
  const head = ['env', 'status', ...columns, 'tests', 'log'].map((h) => `<th>${h}</th>`).join('');
  const rows = result.envs.map((env, i) => {
    const name = env.status === 'failed' ? `<a href="#failed-${i}">${esc(env.name)}</a>` : esc(env.name);
    const log = env.log ? `<code>${esc(display(root, env.log))}</code>` : '-';
    const cells = [`<td>${name}</td>`, `<td class="${env.status}">${env.status}</td>`, ...columns.map((c) => phaseCell(env, c))];
    return `<tr>${cells.join('')}<td>${esc(testsCell(env))}</td><td>${log}</td></tr>`;
  });
  return ['<h2>Envs</h2>', '<table>', `<tr>${head}</tr>`, ...rows, '</table>'];
}

function failures(result: SuiteResult, root: string): string[] {
  const lines: string[] = [];
  result.envs.forEach((env, i) => {
    if (env.status !== 'failed') return;
    lines.push(`<section id="failed-${i}">`, `<h2 class="failed">${esc(env.name)} failed</h2>`, `<p>${esc(env.error ?? 'unknown reason')}</p>`);
    if (env.composeLog) lines.push(`<p>Containers' state and logs: <code>${esc(display(root, env.composeLog))}</code></p>`);
    if (env.tail.length) {
      const from = env.log ? esc(display(root, env.log)) : 'its log';
      lines.push(`<p>Last ${env.tail.length} lines of ${from}:</p>`, `<pre>${env.tail.map(esc).join('\n')}</pre>`);
    }
    lines.push('</section>');
  });
  return lines;
}

/** Writes the page once the run has ended; its timeline is timed from the events as they come. */
export class HtmlReporter implements Reporter {
  private readonly timeline: Timeline;
  private result: SuiteResult | undefined;

  constructor(
    private readonly file: string,
    private readonly ctx: FileReporterContext,
    now?: () => number,
  ) {
    this.timeline = new Timeline(now);
  }

  onEvent(e: RunEvent): void {
    this.timeline.onEvent(e);
    if (e.type === 'suite_end') this.result = e.result;
  }

  async close(): Promise<void> {
    if (!this.result) return;
    // The bus has masked the events already. Masking again costs little: each message before
    // it is escaped (a secret with `&` in it is still found), and the page as a whole.
    const shown = maskEvent({ type: 'suite_end', result: this.result }, this.ctx.mask);
    const result = shown.type === 'suite_end' ? shown.result : this.result;
    const text = this.ctx.mask(htmlReport(result, this.timeline.bars(), this.ctx.root));
    try {
      this.ctx.write(this.file, text);
    } catch (error) {
      this.ctx.problem(`--html ${this.file}: cannot write it: ${this.ctx.errorText(error)}`);
    }
  }
}
