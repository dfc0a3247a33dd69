// A child's output as it comes: stdout and stderr split into lines for the consumers, with
// backpressure (reading pauses while they are backed up), stdout kept when asked. Reads the
// pipes of a child that src/exec.ts started; spawns nothing.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { LineSplitter, type LineGuard } from './lines';

const CAPTURE_LIMIT = 16 * 1024 * 1024;
/** After the child exits and its group is gone, how long its pipes may stay open. */
const PIPE_LINGER_MS = 2000;

/** What is read of a started child: its pipes, and the moment it exits (or fails to start). */
export interface ChildPipes {
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  once(event: 'exit' | 'error', listener: () => void): ChildPipes;
}

export interface OutputOptions {
  /** A chunk's complete lines, them joined by LF, and whether they are all ASCII. */
  readonly onLines?: (lines: readonly string[], text: string, ascii: boolean) => void;
  /** After each chunk: a promise when consumers are backed up; reading pauses until it settles. */
  readonly pressure?: () => Promise<void> | undefined;
  /** Keep stdout (up to 16 MiB). */
  readonly capture?: boolean;
  /** Masks an over-long line before it is cut into pieces (src/io/lines.ts). */
  readonly guard?: LineGuard;
}

/**
 * Reads stdout and stderr as they come: lines to `onLines` (reading pauses while the
 * consumers are backed up), stdout kept when asked. Resolves to the kept stdout once both
 * pipes end, or PIPE_LINGER_MS after the child exited when something that escaped its
 * group still holds them open (they are then closed).
 */
export async function readOutput(child: ChildPipes, options: OutputOptions): Promise<string> {
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => !!s);
  const kept = options.capture ? new Capture() : undefined;
  const ended = streams.map((stream) => {
    const splitter = new LineSplitter((lines, text, ascii) => options.onLines?.(lines, text, ascii), options.guard);
    const keep = stream === child.stdout ? kept : undefined;
    stream.on('data', (chunk: Buffer) => {
      keep?.push(chunk);
      splitter.push(chunk);
      const wait = options.pressure?.();
      if (wait) {
        stream.pause();
        void wait.then(() => stream.resume());
      }
    });
    return new Promise<void>((resolve) => {
      const end = () => {
        splitter.end();
        resolve();
      };
      stream.once('end', end);
      stream.once('close', end);
      stream.once('error', end);
    });
  });
  let linger: NodeJS.Timeout | undefined;
  let read = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()).once('error', () => resolve()));
  // Pipes usually end before the exit is reported: then no timer is left behind.
  const lingered = exited.then(() =>
    read
      ? undefined
      : new Promise<void>((resolve) => {
          linger = setTimeout(() => {
            for (const s of streams) s.destroy();
            resolve();
          }, PIPE_LINGER_MS);
        }),
  );
  await Promise.race([Promise.all(ended), lingered]);
  read = true;
  clearTimeout(linger);
  return kept?.text() ?? '';
}

/** Kept stdout, decoded by one streaming decoder (a character split across reads stays whole). */
class Capture {
  private readonly decoder = new StringDecoder('utf8');
  private text_ = '';
  private bytes = 0;

  push(chunk: Buffer): void {
    if (this.bytes >= CAPTURE_LIMIT) return;
    this.bytes += chunk.length;
    this.text_ += this.decoder.write(chunk);
  }

  text(): string {
    return this.text_ + this.decoder.end();
  }
}
