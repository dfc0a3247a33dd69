// The reporters, by name: each one output format, all fed the same events. Which ones a
// run uses is decided once, from its options and environment (`pick`); the console gets
// `plain`, `live` or `jsonl`, GitHub Actions adds annotations and the step summary,
// `--report`, `--junit` and `--html` add their files.
import type { Reporter } from '../events';
import type { Output } from '../io/console';
import { JsonReportReporter, JunitReporter, type FileReporterContext } from './files';
import { GithubReporter } from './github';
import { HtmlReporter } from './html';
import { JsonlReporter } from './jsonl';
import { LiveReporter } from './live';
import { PlainReporter } from './plain';
import { StepSummaryReporter } from './step-summary';

/** What reporters write to and with. */
export interface ReporterContext extends FileReporterContext {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly choice: ReporterChoice;
  /** An unguessable token for GitHub's `::stop-commands::`. */
  readonly token: string;
  /** Appends to the step summary file. */
  readonly append: (path: string, text: string) => Promise<void>;
  /** The terminal's size now (the live view). */
  readonly size: () => { columns: number; rows: number };
}

/** The run's say on reporting (flags and environment). */
export interface ReporterChoice {
  /** `live`: the view redrawn in place, for a terminal. */
  readonly console: 'plain' | 'jsonl' | 'live';
  readonly verbose: boolean;
  readonly color: boolean;
  readonly report?: string | undefined;
  readonly junit?: string | undefined;
  readonly html?: string | undefined;
  /** GITHUB_ACTIONS=true. */
  readonly github: boolean;
  /** GITHUB_STEP_SUMMARY, when set. */
  readonly stepSummary?: string | undefined;
}

export const REPORTERS = {
  plain: (ctx: ReporterContext) => new PlainReporter(ctx.stdout, { verbose: ctx.choice.verbose, color: ctx.choice.color, root: ctx.root }),
  jsonl: (ctx: ReporterContext) => new JsonlReporter(ctx.stdout),
  live: (ctx: ReporterContext) => new LiveReporter(ctx.stdout, { color: ctx.choice.color, root: ctx.root, size: ctx.size }),
  // Beside jsonl, stdout stays pure JSON lines: the annotations go to stderr (GitHub reads
  // commands on both), and no guard is needed.
  github: (ctx: ReporterContext) =>
    ctx.choice.console === 'jsonl' ? new GithubReporter(ctx.stderr, { token: ctx.token, guard: false }) : new GithubReporter(ctx.stdout, { token: ctx.token }),
  'step-summary': (ctx: ReporterContext) => new StepSummaryReporter(ctx.root, (markdown) => ctx.append(ctx.choice.stepSummary!, markdown)),
  json: (ctx: ReporterContext) => new JsonReportReporter(ctx.choice.report!, ctx),
  junit: (ctx: ReporterContext) => new JunitReporter(ctx.choice.junit!, ctx),
  html: (ctx: ReporterContext) => new HtmlReporter(ctx.choice.html!, ctx),
} satisfies Record<string, (ctx: ReporterContext) => Reporter>;

export type ReporterName = keyof typeof REPORTERS;

/**
 * The reporters a run uses, in the order they get each event: the console first, then
 * GitHub's annotations (after the console's summary and log tails), then the files.
 */
export function reporterNames(choice: ReporterChoice): ReporterName[] {
  const names: ReporterName[] = [choice.console];
  if (choice.github) names.push('github');
  if (choice.github && choice.stepSummary) names.push('step-summary');
  if (choice.report) names.push('json');
  if (choice.junit) names.push('junit');
  if (choice.html) names.push('html');
  return names;
}

export function createReporters(ctx: ReporterContext): Reporter[] {
  return reporterNames(ctx.choice).map((name) => REPORTERS[name](ctx));
}
