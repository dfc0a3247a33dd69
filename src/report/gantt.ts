// The run's timeline as a Mermaid gantt chart in a fenced markdown block, which GitHub
// renders in a step summary, an issue or a PR comment: one section per env, one task per
// phase, coloured by how it ended.
import type { Status } from '../events';
import { duration } from '../format';
import type { TimelineBar } from './timeline';

// `dateFormat x`: starts and ends are millisecond timestamps. Given the run's start, the bars
// sit at their wall-clock times and the axis reads the time of day (Mermaid draws it in the
// viewer's own time zone, whichever that is). Without one they sit at the epoch and `%M:%S`
// reads as minutes:seconds into the run. The today marker would only be noise.
const HEADER = ['    dateFormat x', '    todayMarker off'];

// Mermaid's tags: `done` grey, `crit` red, `active` highlighted; a cancelled phase neither
// passed nor failed.
const TAGS: Record<Status, string> = { passed: 'done', failed: 'crit', cancelled: 'active' };

// Words the gantt lexer takes as a statement when a task's line starts with them, whatever
// follows (it matches `gantt` even as the start of a longer word).
const KEYWORD =
  /^(gantt|click|call|href|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|accdescription|acctitle|accdescr|section|\d{4}-\d\d-\d\d)/i;

/**
 * Mermaid gantt source in a ```mermaid fence; '' when there is no bar to draw. `startedAt`:
 * the run's start (epoch ms), to place the bars at their time of day.
 */
export function mermaidGantt(bars: readonly TimelineBar[], title?: string, startedAt?: number): string {
  if (bars.length === 0) return '';
  const lines = ['```mermaid', 'gantt'];
  // A title may hold a `:` (its statement runs to the end of the line); nothing else special.
  const heading = title === undefined ? '' : clean(title, /[#%;`<>]/g);
  if (heading) lines.push(`    title ${heading}`);
  const origin = startedAt !== undefined && Number.isFinite(startedAt) && startedAt > 0 ? Math.round(startedAt) : 0;
  lines.push(HEADER[0]!, `    axisFormat ${origin ? '%H:%M:%S' : '%M:%S'}`, ...HEADER.slice(1));
  for (const [env, own] of byEnv(bars)) {
    lines.push(`    section ${clean(env) || '(unnamed)'}`);
    for (const bar of own) lines.push(`    ${task(bar, origin)}`);
  }
  lines.push('```');
  return lines.join('\n') + '\n';
}

/** The bars grouped by env, the envs in the order they first started, each env's in start order. */
function byEnv(bars: readonly TimelineBar[]): Map<string, TimelineBar[]> {
  // A stable sort: bars that started at the same millisecond keep the order they came in.
  const sorted = [...bars].sort((a, b) => a.startMs - b.startMs);
  const groups = new Map<string, TimelineBar[]>();
  for (const bar of sorted) {
    const group = groups.get(bar.env);
    if (group) group.push(bar);
    else groups.set(bar.env, [bar]);
  }
  return groups;
}

/** `deploy 1m05s :done, 1200, 66200`: the task's line, 1 ms at least so it is drawn. */
function task(bar: TimelineBar, origin: number): string {
  const start = Math.max(0, Math.round(bar.startMs));
  const end = Math.max(start + 1, Math.round(bar.endMs));
  let name = clean(`${bar.phase} ${duration(bar.endMs - bar.startMs)}`) || 'phase';
  if (KEYWORD.test(name)) name = `_${name}`;
  return `${name} :${TAGS[bar.status]}, ${origin + start}, ${origin + end}`;
}

/**
 * Text that cannot break the chart: on one line (a newline ends a statement), without `:`
 * (it starts a task's data), `#` and `%` (comments, entities, directives), `;` (ends a
 * statement), a backtick (could close the fence), or `<` `>` (markup to Mermaid's sanitiser).
 */
function clean(text: string, special = /[:#%;`<>]/g): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(special, '_')
    .replace(/ {2,}/g, ' ')
    .trim();
}
