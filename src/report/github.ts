// GitHub Actions annotations (when GITHUB_ACTIONS=true): an `::error` per failed env, a
// `::warning` per cancelled one. While the run goes on, workflow commands are switched off
// (`::stop-commands::<token>`), so no line a child prints (nor a log tail in the summary)
// can open a `::group::`, add a mask or fake an annotation; they are switched back on at
// the end, before this reporter's own commands.
import type { EnvResult, Reporter, RunEvent, SuiteResult } from '../events';
import type { Output } from '../io/console';

export interface GithubOptions {
  /** An unguessable token for `::stop-commands::`. */
  readonly token: string;
  /**
   * Switch workflow commands off while the run prints (default true). Off when this
   * reporter writes beside `--reporter jsonl`, whose lines cannot be taken for commands.
   */
  readonly guard?: boolean;
}

/** Escapes the message of a workflow command. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (`title=...`) of a workflow command. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `<env> failed in <phase>: <reason>`, from the env's first failed phase. */
export function failureMessage(env: EnvResult): string {
  const phase = env.phases.find((p) => p.status === 'failed');
  if (phase) return `${env.name} failed in ${phase.name}: ${phase.error ?? env.error ?? 'unknown reason'}`;
  return `${env.name} failed: ${env.error ?? 'unknown reason'}`;
}

export function annotations(result: SuiteResult): string[] {
  const lines: string[] = [];
  for (const env of result.envs) {
    const title = escapeProperty(`esb-e2e ${env.name}`);
    if (env.status === 'failed') lines.push(`::error title=${title}::${escapeData(failureMessage(env))}`);
    else if (env.status === 'cancelled') lines.push(`::warning title=${title}::${escapeData(`${env.name} cancelled${env.error && env.error !== 'cancelled' ? `: ${env.error}` : ''}`)}`);
  }
  return lines;
}

export class GithubReporter implements Reporter {
  private stopped = false;

  constructor(
    private readonly out: Output,
    private readonly options: GithubOptions,
  ) {}

  onEvent(e: RunEvent): void {
    if (e.type === 'suite_start' && this.options.guard !== false) {
      this.out.write(`::stop-commands::${this.options.token}\n`);
      this.stopped = true;
    } else if (e.type === 'suite_end') {
      if (this.stopped) this.out.write(`::${this.options.token}::\n`);
      this.stopped = false;
      for (const line of annotations(e.result)) this.out.write(line + '\n');
    }
  }

  /** A hard stop (second Ctrl-C): switch workflow commands back on before the process goes. */
  interrupt(): void {
    if (this.stopped) this.out.write(`::${this.options.token}::\n`);
    this.stopped = false;
  }

  pressure(): Promise<void> | undefined {
    return this.out.pressure();
  }

  close(): Promise<void> {
    return this.out.flush();
  }
}
