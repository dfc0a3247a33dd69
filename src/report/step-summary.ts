// GitHub Actions' step summary (when GITHUB_STEP_SUMMARY names a file): the summary table
// in markdown, appended under the other steps' once the run ends.
import type { Reporter, RunEvent } from '../events';
import { summaryMarkdown } from './summary';

export class StepSummaryReporter implements Reporter {
  private pending: Promise<void> | undefined;

  constructor(
    private readonly root: string,
    /** Appends markdown to the step summary file (its errors are the caller's to report). */
    private readonly append: (markdown: string) => Promise<void>,
  ) {}

  onEvent(e: RunEvent): void {
    if (e.type === 'suite_end') this.pending = this.append(summaryMarkdown(e.result, this.root));
  }

  async close(): Promise<void> {
    await this.pending;
  }
}
