// `esb-e2e run`: takes the log dir's lock, wires the reporters to the event bus, turns
// SIGINT/SIGTERM/SIGHUP into cancellation (a second one exits at once), runs the suite, and maps
// its result to the exit code.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { EventBus, type SuiteResult } from '../events';
import { killAll } from '../exec';
import { display } from '../format';
import { Output } from '../io/console';
import { errorText } from '../io/files';
import { acquireLock } from '../io/lock';
import { closeAllSync } from '../io/log-file';
import { Masker } from '../mask';
import type { Plan } from '../plan/types';
import { realDeps, type RunnerDeps } from './deps';
import type { ReportOptions, RunIo, RunOptions } from './options';
import { SIGNAL_EXIT, SignalGuard, type SignalSource } from './signals';
import { preflight } from './preflight';
import { reporting } from './reporting';
import { runSuite } from './suite';
import { LAST_RUN_FILE, writeLastRun } from './last-run';

export { downCommand } from './down';
// In this module so the CLI's bundle, which loads the runner's only for `run`, never holds
// the spawning code (execa) that asking the engine needs.
export { proxyHost } from './proxy-host';

export function exitCodeOf(result: SuiteResult): number {
  if (result.signal) return SIGNAL_EXIT[result.signal];
  return result.envs.every((e) => e.status === 'passed') ? 0 : 1;
}

export async function runCommand(
  plan: Plan,
  options: RunOptions & ReportOptions,
  io: RunIo,
  deps: RunnerDeps = realDeps,
  signals: SignalSource = process,
  hardExit: (code: number) => void = (code) => process.exit(code),
): Promise<number> {
  // Before anything starts: every output may be written, reset wipes only what it may, the
  // log dir is writable and no other run uses it.
  preflight(plan, options, io);
  const lock = acquireLock(plan.logDir, display(plan.root, plan.logDir));
  // The one masker of the run's messages: every secret of the plan (the shell's, each env's).
  const masker = Masker.forVars(plan.base, ...plan.envs.map((e) => e.env));
  const bus = new EventBus((text) => masker.mask(text));
  const out = new Output(io.stdout);
  const { reporters, problems } = reporting(plan, options, io, out, masker);
  for (const reporter of reporters) bus.subscribe(reporter);
  const cancel = new AbortController();
  const hard = new AbortController();
  const guard = new SignalGuard(signals, (line) => io.stderr.write(line), () => cancel.abort(), (sig) => {
    // Second signal: kill everything now, save what the logs hold, leave.
    hard.abort();
    killAll('SIGKILL');
    closeAllSync();
    lock.release();
    bus.interrupt();
    out.send();
    io.stderr.write(`esb-e2e: ${sig} again: stopped at once\n`);
    hardExit(SIGNAL_EXIT[sig]);
  });
  try {
    const result = await runSuite(plan, options, bus, { cancel: cancel.signal, hard: hard.signal, runId: randomBytes(8).toString('hex') }, deps);
    const final: SuiteResult = { ...result, signal: guard.stoppedBy, status: guard.stoppedBy ? 'cancelled' : result.status };
    bus.emit({ type: 'suite_end', result: final });
    await bus.close();
    try {
      writeLastRun(plan.logDir, final);
    } catch (error) {
      problems.push(`${display(plan.root, join(plan.logDir, LAST_RUN_FILE))}: cannot write it (run --failed needs it): ${errorText(error)}`);
    }
    for (const problem of problems) io.stderr.write(`esb-e2e: ${masker.mask(problem)}\n`);
    const code = exitCodeOf(final);
    return problems.length && code === 0 ? 1 : code;
  } finally {
    guard.dispose();
    lock.release();
  }
}
