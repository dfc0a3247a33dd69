// `esb-e2e run`: wires the reporters to the event bus, turns SIGINT/SIGTERM into
// cancellation (a second one exits at once), runs the suite, and maps its result to
// the exit code. Only this edge touches signals.
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Io, RunSettings } from './cli';
import { EventBus, type SuiteResult } from './events';
import { killAll } from './exec';
import { acquireLock } from './lock';
import { closeAllSync } from './logging';
import { Output, useColor } from './output';
import { display, type Plan } from './planner';
import { errorText } from './report/files';
import { writeRunReports } from './report/outputs';
import { GithubReporter } from './reporters/github';
import { JsonlReporter } from './reporters/jsonl';
import { PlainReporter } from './reporters/plain';
import { realDeps, runSuite, type RunnerDeps } from './runner';

export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export function exitCodeOf(result: SuiteResult): number {
  if (result.signal) return SIGNAL_EXIT[result.signal];
  return result.envs.every((e) => e.status === 'passed') ? 0 : 1;
}

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  off(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
}

export async function runCommand(
  plan: Plan,
  settings: RunSettings,
  io: Io,
  deps: RunnerDeps = realDeps,
  signals: SignalSource = process,
  hardExit: (code: number) => void = (code) => process.exit(code),
): Promise<number> {
  // Before anything starts: the log dir is writable and no other run uses it.
  const lock = acquireLock(plan.logDir, display(plan.root, plan.logDir));
  const bus = new EventBus();
  const out = new Output(io.stdout);
  const color = useColor(settings.color, io.env, !!io.stdout.isTTY);
  bus.subscribe(
    settings.reporter === 'jsonl' ? new JsonlReporter(out) : new PlainReporter(out, { verbose: settings.verbose, color, root: plan.root }),
  );
  // After the console reporter: its summary and log tails come out before this one
  // switches workflow commands back on and prints the annotations. Beside jsonl, stdout
  // stays pure JSON lines: the annotations go to stderr (GitHub reads commands on both).
  const github =
    io.env.GITHUB_ACTIONS === 'true'
      ? settings.reporter === 'jsonl'
        ? new GithubReporter(new Output(io.stderr), { ...githubOptions(plan, io), guard: false })
        : new GithubReporter(out, githubOptions(plan, io))
      : undefined;
  if (github) bus.subscribe(github);

  const cancel = new AbortController();
  const hard = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' | null = null;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const handler = () => {
      if (stoppedBy) {
        // Second signal: kill everything now, save what the logs hold, leave.
        hard.abort();
        killAll('SIGKILL');
        closeAllSync();
        lock.release();
        github?.interrupt();
        out.send();
        io.stderr.write(`esb-e2e: ${sig} again: stopped at once\n`);
        hardExit(SIGNAL_EXIT[sig]);
        return;
      }
      stoppedBy = sig;
      io.stderr.write(`esb-e2e: ${sig}: stopping (cancelling running envs; press Ctrl-C again to stop at once)\n`);
      cancel.abort();
    };
    signals.on(sig, handler);
    return [sig, handler] as const;
  });

  try {
    const result = await runSuite(plan, settings, bus, { cancel: cancel.signal, hard: hard.signal }, deps);
    const final: SuiteResult = { ...result, signal: stoppedBy, status: stoppedBy ? 'cancelled' : result.status };
    bus.emit({ type: 'suite_end', result: final });
    await bus.close();
    const problems = writeRunReports(final, plan, settings, io.cwd);
    for (const problem of problems) io.stderr.write(`esb-e2e: ${problem}\n`);
    const code = exitCodeOf(final);
    return problems.length && code === 0 ? 1 : code;
  } finally {
    for (const [sig, handler] of handlers) signals.off(sig, handler);
    lock.release();
  }
}

/** The step summary append is the one file effect of the GitHub reporter: it stays here. */
function githubOptions(plan: Plan, io: Io): ConstructorParameters<typeof GithubReporter>[1] {
  const file = io.env.GITHUB_STEP_SUMMARY;
  return {
    root: plan.root,
    token: randomBytes(16).toString('hex'),
    ...(file
      ? {
          appendSummary: (markdown: string) =>
            appendFile(file, markdown).catch((error: unknown) => {
              io.stderr.write(`esb-e2e: GITHUB_STEP_SUMMARY ${file}: cannot append the summary: ${errorText(error)}\n`);
            }),
        }
      : {}),
  };
}
