// The one place that spawns processes, through execa used lean: no buffering, no encoding,
// the child's pipes read here directly. Each child gets exactly the env it is given
// (nothing inherited), stdin ignored, its own process group; its lines are handed over as
// they arrive, with backpressure. A timeout or an abort kills the whole group: TERM, then
// KILL after a grace period. Groups still running when esb-e2e itself exits, however it
// exits, are killed on the way out (execa's own `cleanup` does not apply to children in
// their own group, so its mechanism, signal-exit, is used here directly).
import { execa } from 'execa';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { onExit } from 'signal-exit';
import { seconds } from './format';
import { readOutput } from './io/child-output';
import type { LineGuard } from './io/lines';

export interface Command {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** What sets this program, for the "not found" message: `ESB_CLI`, `E2E_PYTHON`, matrix `compose`. */
  readonly setting?: string;
}

export interface ExecOptions {
  /**
   * The lines the child prints (stdout and stderr, merged at line boundaries), in order:
   * the complete lines of each chunk read, together; `text` is them joined by LF; `ascii`
   * says every character is ASCII (so writers may skip UTF-8 encoding).
   */
  readonly onLines?: (lines: readonly string[], text: string, ascii: boolean) => void;
  /** After each chunk: a promise when consumers are backed up; reading pauses until it settles. */
  readonly pressure?: () => Promise<void> | undefined;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Time between TERM and KILL. */
  readonly graceMs?: number;
  /** Keep stdout (up to 16 MiB) for parsing, besides streaming it. */
  readonly capture?: boolean;
  /** Masks an over-long line before it is cut into pieces, so no secret is split between two. */
  readonly guard?: LineGuard;
}

export interface ExecResult {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** One line: why the command did not succeed (null when ok). */
  readonly reason: string | null;
  readonly stdout: string;
  /** The program could not be started (not found, not executable). */
  readonly notFound: boolean;
}

const DEFAULT_GRACE_MS = 5000;

const live = new Set<number>();
let exitHook: (() => void) | undefined;

/** Kill every process group still running (the second Ctrl-C, and esb-e2e's own exit). */
export function killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pid of live) killGroup(pid, signal);
}

export function liveGroups(): number {
  return live.size;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function track(pid: number): void {
  exitHook ??= onExit(() => killAll('SIGKILL'));
  live.add(pid);
}

export async function exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = command.argv;
  if (!file) throw new Error('exec: empty command');
  if (options.signal?.aborted) return result({ cancelled: true, reason: 'cancelled' });
  // A path is checked first: a file that cannot be executed would only show as exit 127.
  const unusable = file.includes('/') ? checkPath(resolve(command.cwd, file)) : undefined;
  if (unusable) return notFoundResult(command, unusable);

  const child = execa(file, args, {
    env: { ...command.env },
    extendEnv: false,
    cwd: command.cwd,
    stdin: 'ignore',
    buffer: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    detached: true,
    cleanup: false,
    reject: false,
  });
  const pid = child.pid;
  if (pid !== undefined) {
    track(pid);
    child.once('exit', () => {
      // Whatever the child left in its group (a backgrounded grandchild) goes with it.
      killGroup(pid, 'SIGKILL');
      live.delete(pid);
    });
  }
  const stop = new Terminator(pid, options);
  const [done, stdout] = await Promise.all([child, readOutput(child, options)]);
  stop.dispose();
  const code = (done as { code?: string }).code;
  if (pid === undefined && (code === 'ENOENT' || code === 'EACCES')) return notFoundResult(command, code === 'ENOENT' ? 'not found' : 'not executable');
  const exitCode = done.exitCode ?? null;
  const sig = done.signal ?? null;
  if (stop.timedOut) return result({ timedOut: true, exitCode, signal: sig, stdout, reason: `timed out after ${seconds(options.timeoutMs!)}` });
  if (stop.cancelled) return result({ cancelled: true, exitCode, signal: sig, stdout, reason: 'cancelled' });
  if (exitCode === 0) return result({ ok: true, exitCode: 0, stdout });
  if (exitCode === null && !sig) return result({ stdout, reason: `${file}: ${done.shortMessage?.split('\n').pop() ?? 'could not be started'}` });
  const why = sig ? `was killed by ${sig}` : `exited with code ${exitCode}`;
  return result({ exitCode, signal: sig, stdout, reason: `${baseName(file)} ${why}` });
}

/** The child's group killed at the timeout or on abort: TERM, then KILL after the grace period. */
class Terminator {
  timedOut = false;
  cancelled = false;
  private readonly timeout: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => {
    this.cancelled = true;
    this.terminate();
  };

  constructor(
    private readonly pid: number | undefined,
    private readonly options: ExecOptions,
  ) {
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.timeout = setTimeout(() => {
        this.timedOut = true;
        this.terminate();
      }, options.timeoutMs);
    }
  }

  private terminate(): void {
    if (this.pid === undefined || this.killTimer) return;
    killGroup(this.pid, 'SIGTERM');
    const pid = this.pid;
    this.killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), this.options.graceMs ?? DEFAULT_GRACE_MS);
  }

  dispose(): void {
    clearTimeout(this.timeout);
    clearTimeout(this.killTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }
}

function checkPath(path: string): 'not found' | 'not executable' | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'not executable';
  }
}

function notFoundResult(command: Command, what: 'not found' | 'not executable'): ExecResult {
  const hint = command.setting ? ` (set ${command.setting}, or put it on PATH)` : ' (put it on PATH)';
  return result({ notFound: true, reason: `${command.argv[0]}: command ${what}${hint}` });
}

function result(partial: Partial<ExecResult>): ExecResult {
  return {
    ok: false,
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    reason: null,
    stdout: '',
    notFound: false,
    ...partial,
  };
}

function baseName(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}
