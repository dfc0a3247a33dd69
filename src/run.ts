// `esb-e2e run`: wires the reporters to the event bus, turns SIGINT/SIGTERM into
// cancellation (a second one exits at once), runs the suite, and maps its result to
// the exit code. Only this edge touches signals.
import type { Io, RunSettings } from './cli';
import { EventBus, type SuiteResult } from './events';
import { killAll } from './exec';
import { acquireLock } from './lock';
import { closeAllSync } from './logging';
import { Output, useColor } from './output';
import { display, type Plan } from './planner';
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
    return exitCodeOf(final);
  } finally {
    for (const [sig, handler] of handlers) signals.off(sig, handler);
    lock.release();
  }
}
