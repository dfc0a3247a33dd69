// The one place that spawns processes. Each child gets exactly the env it is given
// (nothing inherited), stdin ignored, its own process group; stdout and stderr are split
// into lines as they arrive (a last partial line is flushed) with backpressure. A
// timeout or an abort kills the whole group: TERM, then KILL after a grace period.
// node:child_process directly, not execa: execa doubled the main thread's time per
// spawn, which all envs share (measured in bench/RESULTS.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

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

/** Lines longer than this are cut into pieces, so memory stays flat whatever a child prints. */
export const MAX_LINE = 64 * 1024;
const CAPTURE_LIMIT = 16 * 1024 * 1024;
const DEFAULT_GRACE_MS = 5000;
/** After the child exits and its group is gone, how long its pipes may stay open. */
const PIPE_LINGER_MS = 2000;

const live = new Set<number>();

/** Kill every process group still running (the second Ctrl-C). */
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

/**
 * Splits a byte stream into lines: UTF-8 decoded (invalid bytes become U+FFFD), CR LF or
 * LF. The complete lines of each chunk are handed over together, with their text joined
 * by LF (the chunk as read, most of the time), so what follows (masking, the log, the
 * console) can work on a chunk at a time; and whether that text is all ASCII, read off
 * the bytes (one fast check per chunk; a string cannot tell), so writers can skip UTF-8
 * encoding.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  /** The partial line holds only ASCII. */
  private partialAscii = true;

  constructor(private readonly emit: (lines: string[], text: string, ascii: boolean) => void) {}

  push(chunk: Buffer | string): void {
    // A string's characters are not looked at: it counts as not ASCII.
    const chunkAscii = typeof chunk !== 'string' && isAscii(chunk);
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const ascii = this.partialAscii && chunkAscii;
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.partial = text;
    } else {
      this.partial = text.slice(last + 1);
      this.emitBlock(text.slice(0, last), ascii);
    }
    this.partialAscii = this.partial.length === 0 || (last === -1 ? ascii : chunkAscii);
    if (this.partial.length > MAX_LINE) {
      // What has no end yet goes out in pieces too; the last piece waits for the rest.
      const pieces = cut(this.partial);
      this.partial = pieces.pop()!;
      this.emit(pieces, pieces.join('\n'), this.partialAscii);
    }
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    const ascii = this.partialAscii && rest.length === this.partial.length;
    this.partial = '';
    this.partialAscii = true;
    if (rest.length) this.emitBlock(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ascii);
  }

  /** `block`: whole lines joined by LF, without the last one's LF. */
  private emitBlock(block: string, ascii: boolean): void {
    let lines = block.split('\n');
    let text = block;
    if (block.includes('\r')) {
      lines = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      text = lines.join('\n');
    }
    if (block.length > MAX_LINE && lines.some((l) => l.length > MAX_LINE)) {
      lines = lines.flatMap(cut);
      text = lines.join('\n');
    }
    this.emit(lines, text, ascii);
  }
}

/** A line in pieces of at most MAX_LINE characters (itself when short enough). */
function cut(line: string): string[] {
  if (line.length <= MAX_LINE) return [line];
  const pieces: string[] = [];
  for (let i = 0; i < line.length; i += MAX_LINE) pieces.push(line.slice(i, i + MAX_LINE));
  return pieces;
}

export async function exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = command.argv;
  if (!file) throw new Error('exec: empty command');
  const program = file;
  const { signal } = options;
  if (signal?.aborted) return result({ cancelled: true, reason: 'cancelled' });

  // A path is checked first: a file that cannot be executed would only show as exit 127.
  if (file.includes('/')) {
    try {
      accessSync(resolve(command.cwd, file), constants.X_OK);
    } catch (error) {
      return notFoundResult(command, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'not executable');
    }
  }
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      env: { ...command.env },
      cwd: command.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (error) {
    return result({ reason: `${program}: ${(error as Error).message}` });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid !== undefined) live.add(pid);

  let stdout = '';
  let captured = 0;
  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;

  const terminate = () => {
    if (pid === undefined || killTimer) return;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.graceMs ?? DEFAULT_GRACE_MS);
  };
  const onAbort = () => {
    cancelled = true;
    terminate();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const timeout =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          terminate();
        }, options.timeoutMs)
      : undefined;

  const streams = [child.stdout, child.stderr].filter((s): s is Readable => !!s);
  const ended = streams.map((stream) => {
    const splitter = new LineSplitter((lines, text, ascii) => options.onLines?.(lines, text, ascii));
    const isStdout = stream === child.stdout;
    stream.on('data', (chunk: Buffer) => {
      if (options.capture && isStdout && captured < CAPTURE_LIMIT) {
        stdout += chunk.toString('utf8');
        captured += chunk.length;
      }
      splitter.push(chunk);
      const wait = options.pressure?.();
      if (wait) {
        stream.pause();
        void wait.then(() => stream.resume());
      }
    });
    return new Promise<void>((resolve) => {
      const done = () => {
        splitter.end();
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    }).then(() => undefined);
  });

  const outcome = await exited;
  if (pid !== undefined) {
    // Whatever the child left in its group (a backgrounded grandchild) goes with it.
    killGroup(pid, 'SIGKILL');
    live.delete(pid);
  }
  // Read the pipes to their end; a process that escaped the group may hold them open.
  let linger: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(ended),
    new Promise<void>((resolve) => {
      linger = setTimeout(() => {
        for (const s of streams) s.destroy();
        resolve();
      }, PIPE_LINGER_MS);
    }),
  ]);
  clearTimeout(linger);
  clearTimeout(timeout);
  clearTimeout(killTimer);
  signal?.removeEventListener('abort', onAbort);

  const errCode = outcome.error?.code;
  if (errCode === 'ENOENT' || errCode === 'EACCES') return notFoundResult(command, errCode === 'ENOENT' ? 'not found' : 'not executable');
  const exitCode = outcome.code;
  const sig = outcome.signal ?? null;
  if (timedOut) return result({ timedOut: true, exitCode, signal: sig, stdout, reason: `timed out after ${fmtSeconds(options.timeoutMs!)}` });
  if (cancelled) return result({ cancelled: true, exitCode, signal: sig, stdout, reason: 'cancelled' });
  if (exitCode === 0) return result({ ok: true, exitCode: 0, stdout });
  if (outcome.error) return result({ stdout, reason: `${program}: ${outcome.error.message}` });
  const why = sig ? `was killed by ${sig}` : `exited with code ${exitCode}`;
  return result({ exitCode, signal: sig, stdout, reason: `${baseName(program)} ${why}` });
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

export function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}
