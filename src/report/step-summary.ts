// GitHub Actions' step summary (when GITHUB_STEP_SUMMARY names a file): the summary table
// in markdown and a Mermaid gantt of every env's phases (GitHub draws it), appended under
// the other steps' once the run ends.
import type { Reporter, RunEvent } from '../events';
import { mermaidGantt } from './gantt';
import { summaryMarkdown } from './summary';
import { Timeline } from './timeline';

export class StepSummaryReporter implements Reporter {
  private pending: Promise<void> | undefined;
  private readonly timeline: Timeline;

  constructor(
    private readonly root: string,
    /** Appends markdown to the step summary file (its errors are the caller's to report). */
    private readonly append: (markdown: string) => Promise<void>,
    now?: () => number,
  ) {
    this.timeline = new Timeline(now);
  }

  onEvent(e: RunEvent): void {
    this.timeline.onEvent(e);
    if (e.type !== 'suite_end') return;
    const chart = mermaidGantt(this.timeline.bars(), `esb-e2e run ${e.result.runId}`, Date.parse(e.result.startedAt));
    this.pending = this.append(summaryMarkdown(e.result, this.root) + (chart ? '\n' + chart : ''));
  }

  async close(): Promise<void> {
    await this.pending;
  }
}
