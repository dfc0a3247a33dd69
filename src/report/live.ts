// The live view (a terminal, not CI, --no-verbose): one line per env, redrawn in place —
// its phase, time so far and tests passed/failed so far — with what must stay (notes,
// failures) printed above it, then the summary. Lines never exceed the terminal's width,
// so the cursor moves over exactly the rows drawn; a resize is measured, not guessed.
import type { PhaseId, Reporter, RunEvent, Status } from '../events';
import { duration, elapsed } from '../format';
import type { Output } from '../io/console';
import { summaryText } from './summary';

export interface LiveOptions {
  readonly color: boolean;
  readonly root: string;
  /** The terminal's size now (it may change during the run). */
  readonly size: () => { columns: number; rows: number };
  readonly now?: () => number;
  /** At most one redraw this often (and one a second for the clocks). */
  readonly frameMs?: number;
}

interface Row {
  readonly env: string;
  state: 'waiting' | PhaseId | Status;
  startedAt?: number;
  endedMs?: number;
  current: number;
  total: number;
  passed: number;
  failed: number;
}

const FRAME_MS = 100;
const CLOCK_MS = 1000;
const COLORS: Partial<Record<Row['state'], number>> = { passed: 32, failed: 31, cancelled: 33 };

export class LiveReporter implements Reporter {
  private readonly rows = new Map<string, Row>();
  /** The lengths of the block's lines as drawn: what to move up over. */
  private drawn: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private clock: NodeJS.Timeout | undefined;
  private lastFrame = -Infinity;
  private finished = false;

  constructor(
    private readonly out: Output,
    private readonly options: LiveOptions,
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  onEvent(e: RunEvent): void {
    if (this.finished) return;
    if (e.type === 'suite_start') return this.start(e.envs);
    if (e.type === 'suite_end') return this.end(e);
    const row = 'env' in e ? this.rows.get(e.env) : undefined;
    const above = row ? this.update(row, e) : e.type === 'notice' ? `[${e.scope}] note: ${e.message}` : e.type === 'registry_ready' ? '[infra] registry ready' : undefined;
    if (above !== undefined) this.draw([above]);
    else this.schedule();
  }

  private start(envs: readonly string[]): void {
    for (const env of envs) this.rows.set(env, { env, state: 'waiting', current: 0, total: 0, passed: 0, failed: 0 });
    this.clock = setInterval(() => this.draw(), CLOCK_MS);
    this.clock.unref();
    this.draw();
  }

  /** The row takes the event; returns a line to keep above the view, when there is one. */
  private update(row: Row, e: RunEvent): string | undefined {
    switch (e.type) {
      case 'notice':
        return `[${row.env}] note: ${e.message}`;
      case 'env_start':
        row.startedAt = this.now();
        return;
      case 'phase_start':
        row.state = e.phase;
        return;
      case 'phase_progress':
        Object.assign(row, { current: e.current, total: e.total, passed: e.passed, failed: e.failed });
        return;
      case 'env_end':
        row.state = e.status;
        row.endedMs = e.durationMs;
        // Its reason names the phase; the summary has the rest.
        return e.status === 'failed' ? `[${row.env}] failed after ${duration(e.durationMs)}${e.error ? `: ${e.error}` : ''}` : undefined;
      default:
        return;
    }
  }

  private end(e: Extract<RunEvent, { type: 'suite_end' }>): void {
    this.draw();
    this.stop();
    this.finished = true;
    this.out.write('\n' + summaryText(e.result, this.options.root));
  }

  /** A redraw soon: at most one per frame, however many events arrive. */
  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFrame + (this.options.frameMs ?? FRAME_MS) - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
    this.timer.unref();
  }

  /** Erases the view, prints `above` (kept), and draws the view again under it. */
  private draw(above: readonly string[] = []): void {
    const { columns, rows } = this.options.size();
    const width = Math.max(20, columns) - 1;
    const block = this.block(width, Math.max(2, rows - 1));
    this.out.write(this.erase(width + 1) + above.map((l) => l + '\n').join('') + block.map((l) => this.paint(l) + '\n').join(''));
    this.drawn = block.map((l) => l.text.length);
    this.lastFrame = this.now();
  }

  /** Up over the rows the last view takes at this width (a narrower terminal wrapped its lines), and clear below. */
  private erase(columns: number): string {
    const up = this.drawn.reduce((n, length) => n + Math.max(1, Math.ceil(length / columns)), 0);
    return up ? `\r\x1b[${up}A\x1b[J` : '';
  }

  private block(width: number, height: number): { text: string; state: Row['state']; env: number }[] {
    const rows = [...this.rows.values()];
    const pad = Math.max(...rows.map((r) => r.env.length), 3);
    const shown = rows.length <= height ? rows : this.fit(rows, height - 1);
    const lines = shown.map((r) => ({ text: cut(this.rowText(r, pad), width), state: r.state, env: r.env.length }));
    if (shown.length < rows.length) {
      const rest = rows.filter((r) => !shown.includes(r));
      const done = rest.filter((r) => r.endedMs !== undefined).length;
      lines.push({ text: cut(`... and ${rest.length} more (${done} done)`, width), state: 'waiting', env: 0 });
    }
    return lines;
  }

  /** The rows that matter most when not all fit: running ones, then failed, then waiting, then done. */
  private fit(rows: Row[], height: number): Row[] {
    const rank = (r: Row) => (r.endedMs === undefined ? (r.startedAt !== undefined ? 0 : 2) : r.state === 'failed' ? 1 : 3);
    const picked = new Set([...rows].sort((a, b) => rank(a) - rank(b)).slice(0, height));
    return rows.filter((r) => picked.has(r));
  }

  private rowText(r: Row, pad: number): string {
    // A clock while it runs; once it ended, its duration as the summary gives it.
    const time = r.endedMs !== undefined ? duration(r.endedMs) : r.startedAt === undefined ? '' : elapsed(this.now() - r.startedAt);
    const tests = r.total || r.current ? `${r.current}/${r.total}  ${r.passed} passed${r.failed ? `, ${r.failed} failed` : ''}` : '';
    return `${r.env.padEnd(pad)}  ${r.state.padEnd(9)}  ${time.padStart(6)}  ${tests}`.trimEnd();
  }

  private paint(line: { text: string; state: Row['state']; env: number }): string {
    const code = COLORS[line.state];
    if (!this.options.color || !code || line.text.length < line.env) return line.text;
    return `\x1b[${code}m${line.text.slice(0, line.env)}\x1b[0m${line.text.slice(line.env)}`;
  }

  private stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.clock);
    this.timer = this.clock = undefined;
  }

  pressure(): Promise<void> | undefined {
    return this.out.pressure();
  }

  close(): Promise<void> {
    this.stop();
    return this.out.flush();
  }
}

/** At most `width` characters: a longer line ends in `…`. */
function cut(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + '…';
}
