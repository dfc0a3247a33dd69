// The default console reporter: deterministic `[env]`-prefixed lines. Verbose (default)
// shows every command and output line; --no-verbose only markers, test progress and a
// heartbeat while a phase runs. Ends with the summary and the failed envs' log tails.
import type { Reporter, RunEvent } from '../events';
import { duration, elapsed } from '../format';
import type { Output } from '../io/console';
import { Prefixer } from './color';
import { summaryText } from './summary';

export interface PlainOptions {
  readonly verbose: boolean;
  readonly color: boolean;
  readonly root: string;
  /** --no-verbose: at most one `progress` line per env this often (the first at once). */
  readonly progressEveryMs?: number;
  readonly now?: () => number;
}

/** Quiet output prints a handful of lines per env, whatever the number of tests. */
const PROGRESS_EVERY_MS = 5000;

export class PlainReporter implements Reporter {
  private prefix: Prefixer;
  /** When each env last printed its progress. */
  private readonly progressAt = new Map<string, number>();

  constructor(
    private readonly out: Output,
    private readonly options: PlainOptions,
  ) {
    this.prefix = new Prefixer(options.color);
  }

  private line(scope: string, text: string): void {
    this.out.write(this.prefix.get(scope) + text + '\n');
  }

  /** A chunk's lines in one write: joining them is far cheaper than a write per line. */
  private lines(scope: string, lines: readonly string[], ascii: boolean): void {
    if (!lines.length) return;
    const prefix = this.prefix.get(scope);
    this.out.write(prefix + lines.join('\n' + prefix) + '\n', ascii && this.prefix.ascii(scope));
  }

  onEvent(e: RunEvent): void {
    const verbose = this.options.verbose;
    switch (e.type) {
      case 'suite_start':
        this.prefix = new Prefixer(this.options.color, ['suite', 'infra', ...e.envs]);
        return this.line('suite', 'started');
      case 'notice':
        return this.line(e.scope, `note: ${e.message}`);
      case 'registry_ready':
        return this.line('infra', 'registry ready');
      case 'env_start':
        return this.line(e.env, 'started');
      case 'phase_start':
        return this.line(e.env, `${e.phase} start`);
      case 'command':
        if (verbose) this.line(e.env, `$ ${e.command}`);
        return;
      case 'output':
        if (verbose) this.lines(e.env, e.lines, e.ascii === true);
        return;
      case 'phase_progress':
        if (!verbose && this.progressDue(e.env)) this.line(e.env, `${e.phase} progress ${e.current}/${e.total}`);
        return;
      case 'heartbeat':
        if (!verbose) this.line(e.env, `${e.phase} running ${elapsed(e.elapsedMs)}`);
        return;
      case 'phase_end':
        return this.line(e.env, `${e.phase} ${e.status} (${duration(e.durationMs)})${e.error && e.status !== 'cancelled' ? `: ${e.error}` : ''}`);
      case 'phase_skip':
        return this.line(e.env, `${e.phase} skipped (${e.reason})`);
      case 'env_end':
        return this.line(e.env, e.status === 'failed' && e.error ? `failed: ${e.error}` : e.status);
      case 'suite_end':
        this.line('suite', e.result.signal ? `finished (stopped by ${e.result.signal})` : 'finished');
        this.out.write('\n' + summaryText(e.result, this.options.root));
        return;
    }
  }

  private progressDue(env: string): boolean {
    const now = (this.options.now ?? Date.now)();
    const last = this.progressAt.get(env);
    if (last !== undefined && now - last < (this.options.progressEveryMs ?? PROGRESS_EVERY_MS)) return false;
    this.progressAt.set(env, now);
    return true;
  }

  pressure(): Promise<void> | undefined {
    return this.out.pressure();
  }

  close(): Promise<void> {
    return this.out.flush();
  }
}
