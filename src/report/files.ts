// `--report <file.json>` and `--junit <file.xml>`: written once the run ends, every secret
// masked. A file that cannot be written is a problem of the run (reported, and the run
// does not pass), never a crash.
import type { Reporter, RunEvent, SuiteResult } from '../events';
import { buildReport, reportText, type Mask } from './json-report';

export interface FileReporterContext {
  readonly root: string;
  readonly mask: Mask;
  /** Writes the file (atomically); throws when it cannot. */
  readonly write: (path: string, text: string) => void;
  /** A file written since `sinceMs` (pytest's JUnit of an env), or undefined when absent or older. */
  readonly read: (path: string, sinceMs: number) => string | undefined;
  /** Tells that a file could not be written. */
  readonly problem: (message: string) => void;
  readonly errorText: (error: unknown) => string;
}

abstract class FileReporter implements Reporter {
  private result: SuiteResult | undefined;

  constructor(
    private readonly flag: string,
    private readonly file: string,
    protected readonly ctx: FileReporterContext,
  ) {}

  onEvent(e: RunEvent): void {
    if (e.type === 'suite_end') this.result = e.result;
  }

  protected abstract text(result: SuiteResult): Promise<string>;

  async close(): Promise<void> {
    if (!this.result) return;
    const text = await this.text(this.result);
    try {
      this.ctx.write(this.file, text);
    } catch (error) {
      this.ctx.problem(`${this.flag} ${this.file}: cannot write it: ${this.ctx.errorText(error)}`);
    }
  }
}

export class JsonReportReporter extends FileReporter {
  constructor(file: string, ctx: FileReporterContext) {
    super('--report', file, ctx);
  }

  protected async text(result: SuiteResult): Promise<string> {
    return reportText(buildReport(result, this.ctx));
  }
}

export class JunitReporter extends FileReporter {
  constructor(file: string, ctx: FileReporterContext) {
    super('--junit', file, ctx);
  }

  protected async text(result: SuiteResult): Promise<string> {
    // Loaded here only: its XML parser is not needed by a run without --junit.
    const { runJunit } = await import('./junit-run');
    const since = Date.parse(result.startedAt);
    return runJunit(result, { ...this.ctx, read: (path) => this.ctx.read(path, since) });
  }
}
