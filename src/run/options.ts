// How a run goes and reports, in the core's own terms (the CLI maps its flags onto these),
// and what it reads and writes of the world outside.
import type { PhaseOptions } from '../phases/context';
import type { Color } from '../report/color';

export interface RunOptions extends PhaseOptions {
  /** The first failed env cancels the others. */
  readonly failFast: boolean;
  /** compose down --volumes after each env whatever its result, and the registry at the end. */
  readonly cleanup: boolean;
  /** With cleanup: failed envs stay up for inspection. */
  readonly keepFailed: boolean;
}

/** What `run` reads and writes of the world outside. */
export interface RunIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: NodeJS.WritableStream;
}

/** How the run reports: the console's format and colour, and the files. */
export interface ReportOptions {
  readonly reporter: 'plain' | 'jsonl';
  /** On a terminal, not in CI, and not verbose: the live view instead of the plain stream (unless false). */
  readonly live?: boolean;
  readonly color: Color;
  readonly report?: string | undefined;
  readonly junit?: string | undefined;
  readonly html?: string | undefined;
}
