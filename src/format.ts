// How esb-e2e shows numbers, times, paths and command lines, in one place: every reporter,
// log marker and message takes its formats from here.
import { isAbsolute, relative } from 'node:path';

/** A measured duration: `0.4s`, `12.3s`, `2m05s`, `1h07m` (one decimal under a minute). */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return m >= 60 ? `${Math.floor(m / 60)}h${pad2(m % 60)}m` : `${m}m${pad2(s)}s`;
}

/** Time a phase has been running, in whole seconds: `45s`, `2m30s` (the heartbeat). */
export function elapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  return m ? `${m}m${pad2(total % 60)}s` : `${total}s`;
}

/** A configured limit: `30s`, `1.5s` (no decimal when whole). */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

/** A byte count: `512 B`, `64 KiB`, `16 MiB`. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `12:03:04.567` in UTC, for markers in the log. */
export function clock(date: Date): string {
  return date.toISOString().slice(11, 23);
}

/** A path as commands and messages show it: relative to the root when inside it. */
export function display(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** `[a, b c]` -> `a 'b c'`: command lines as a shell would read them. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (a === '' ? "''" : /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Rows under a header, columns padded to their widest cell (the last one is not padded). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/**
 * Text in lines of at most `width` characters, broken at spaces: the first line starts with
 * `lead`, the next ones with `indent`. A word longer than a line stays whole.
 */
export function wrap(text: string, width: number, indent = '', lead = ''): string[] {
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
