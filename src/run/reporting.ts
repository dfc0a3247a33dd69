// The reporters of a run and the effects they write with: the console, the report files
// (every secret of the plan masked), GitHub's step summary. What could not be written is
// gathered in `problems` (the run then does not pass).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Reporter } from '../events';
import { Output } from '../io/console';
import { appendRegular, errorText, readIfFresh, writeFileAtomic } from '../io/files';
import { Masker } from '../mask';
import type { Plan } from '../plan/types';
import { useColor } from '../report/color';
import { createReporters, type ReporterChoice } from '../report/index';
import type { ReportOptions, RunIo } from './options';

export function reporting(
  plan: Plan,
  options: ReportOptions & { readonly verbose: boolean },
  io: RunIo,
  out: Output,
  masker: Masker = Masker.forVars(plan.base, ...plan.envs.map((e) => e.env)),
): { reporters: Reporter[]; problems: string[] } {
  const problems: string[] = [];
  const choice: ReporterChoice = {
    console: liveView(options, io) ? 'live' : options.reporter,
    verbose: options.verbose,
    color: useColor(options.color, io.env, !!io.stdout.isTTY),
    report: options.report,
    junit: options.junit,
    html: options.html,
    github: io.env.GITHUB_ACTIONS === 'true',
    stepSummary: io.env.GITHUB_STEP_SUMMARY || undefined,
  };
  const reporters = createReporters({
    root: plan.root,
    stdout: out,
    stderr: new Output(io.stderr),
    choice,
    token: randomBytes(16).toString('hex'),
    mask: (text) => masker.mask(text),
    write: (path, text) => writeFileAtomic(resolve(io.cwd, path), text),
    read: (path, since) => readIfFresh(path, since),
    problem: (message) => problems.push(message),
    errorText,
    size: () => terminalSize(io),
    append: async (path, text) => {
      try {
        appendRegular(path, text);
      } catch (error) {
        io.stderr.write(`esb-e2e: GITHUB_STEP_SUMMARY ${path}: cannot append the summary: ${errorText(error)}\n`);
      }
    },
  });
  return { reporters, problems };
}

/** The live view: asked for (not --no-live), plain console, quiet, a terminal that can move its cursor, not CI. */
export function liveView(options: Pick<ReportOptions, 'reporter' | 'live'> & { readonly verbose: boolean }, io: Pick<RunIo, 'env' | 'stdout'>): boolean {
  if (options.live === false || options.reporter !== 'plain' || options.verbose || !io.stdout.isTTY) return false;
  const ci = io.env.CI;
  if ((ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false') || io.env.GITHUB_ACTIONS === 'true') return false;
  return io.env.TERM !== 'dumb';
}

/** The terminal's size as the stream knows it (updated on resize), else COLUMNS and LINES, else 80x24. */
function terminalSize(io: Pick<RunIo, 'env' | 'stdout'>): { columns: number; rows: number } {
  const number = (...values: unknown[]) => values.map(Number).find((n) => Number.isInteger(n) && n > 0);
  return { columns: number(io.stdout.columns, io.env.COLUMNS) ?? 80, rows: number(io.stdout.rows, io.env.LINES) ?? 24 };
}
