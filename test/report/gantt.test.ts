// The Mermaid gantt: a fenced chart GitHub renders, one section per env in the order they
// started, one task per phase tagged by how it ended, and no name that can break it.
import { expect, it } from 'vitest';
import { mermaidGantt } from '../../src/report/gantt';
import type { TimelineBar } from '../../src/report/timeline';

const bar = (env: string, phase: TimelineBar['phase'], startMs: number, endMs: number, status: TimelineBar['status'] = 'passed'): TimelineBar => ({ env, phase, startMs, endMs, status });

/** The chart's lines between the fences. */
function body(text: string): string[] {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('```mermaid');
  expect(lines.at(-1)).toBe('```');
  return lines.slice(1, -1);
}

it('draws one section per env, in the order they first started, with millisecond starts and ends', () => {
  const text = mermaidGantt(
    [bar('beta', 'reset', 0, 1200), bar('alpha', 'reset', 300, 900), bar('beta', 'compose', 1200, 4600, 'failed'), bar('alpha', 'compose', 900, 65_900, 'cancelled')],
    'esb-e2e run 42',
  );
  expect(body(text)).toEqual([
    'gantt',
    '    title esb-e2e run 42',
    '    dateFormat x',
    '    axisFormat %M:%S',
    '    todayMarker off',
    '    section beta',
    '    reset 1.2s :done, 0, 1200',
    '    compose 3.4s :crit, 1200, 4600',
    '    section alpha',
    '    reset 0.6s :done, 300, 900',
    '    compose 1m05s :active, 900, 65900',
  ]);
});

it('orders sections and tasks by start even when the bars come unordered', () => {
  const lines = body(mermaidGantt([bar('late', 'reset', 5000, 6000), bar('early', 'deploy', 2000, 3000), bar('early', 'reset', 0, 1000)]));
  expect(lines.filter((l) => /section|:/.test(l) && !l.includes('Format'))).toEqual([
    '    section early',
    '    reset 1.0s :done, 0, 1000',
    '    deploy 1.0s :done, 2000, 3000',
    '    section late',
    '    reset 1.0s :done, 5000, 6000',
  ]);
  expect(lines).not.toContain('    title');
});

it('gives a 0 ms bar 1 ms, so it is still drawn, and rounds fractions', () => {
  const lines = body(mermaidGantt([bar('a', 'deploy', 700, 700), bar('a', 'test', 700.4, 700.2, 'failed'), bar('a', 'cleanup', 800.6, 1999.5)]));
  expect(lines).toContain('    deploy 0.0s :done, 700, 701');
  expect(lines).toContain('    test 0.0s :crit, 700, 701');
  expect(lines).toContain('    cleanup 1.2s :done, 801, 2000');
});

it('returns no chart for no bars', () => {
  expect(mermaidGantt([])).toBe('');
  expect(mermaidGantt([], 'title')).toBe('');
});

it('keeps hostile env, phase and title text from breaking the chart or its fence', () => {
  const hostile = 'a: b;c#d%%{init}%%\nsection x\r\n```<script>`';
  const phase = 'click call\nhref' as TimelineBar['phase'];
  const text = mermaidGantt([bar(hostile, 'reset', 0, 10), bar('ok', phase, 0, 10)], 'run: 1; #2\n```');
  const lines = body(text);
  // Nothing closes the fence early, and every line is one statement the lexer reads as meant.
  expect(text.match(/```/g)).toHaveLength(2);
  for (const line of lines.filter((l) => !l.includes('axisFormat'))) expect(line).not.toMatch(/[#;%`<>]/);
  expect(lines).toContain('    title run: 1_ _2 ___');
  const sections = lines.filter((l) => l.startsWith('    section '));
  expect(sections).toEqual(['    section a_ b_c_d__{init}__ section x ____script__', '    section ok']);
  // A task line has exactly one `:`, the one before its data.
  const tasks = lines.filter((l) => !l.startsWith('    section ') && /\d, \d/.test(l));
  expect(tasks).toHaveLength(2);
  for (const t of tasks) expect(t.split(':')).toHaveLength(2);
  // A task name the lexer would take for a keyword (`click ...`) is kept from starting with one.
  expect(tasks[1]).toBe('    _click call href 0.0s :done, 0, 10');
});

it('names an env whose name is nothing but special characters, and leaves a title out when nothing is left of it', () => {
  const lines = body(mermaidGantt([bar('\n\t', 'reset', 0, 5)], ' \n '));
  expect(lines).toContain('    section (unnamed)');
  expect(lines.some((l) => l.includes('title'))).toBe(false);
  expect(body(mermaidGantt([bar(':;', 'reset', 0, 5)]))).toContain('    section __');
});

it("given the run's start, places the bars at their time of day and reads the axis as one", () => {
  const startedAt = Date.parse('2026-12-04T10:00:00.000Z');
  const lines = body(mermaidGantt([bar('a', 'reset', 0, 1500), bar('a', 'test', 1500, 61_500, 'failed')], undefined, startedAt));
  expect(lines).toContain('    axisFormat %H:%M:%S');
  expect(lines).toContain(`    reset 1.5s :done, ${startedAt}, ${startedAt + 1500}`);
  expect(lines).toContain(`    test 1m00s :crit, ${startedAt + 1500}, ${startedAt + 61_500}`);
});
