// Per-env log sinks: `<log-dir>/.parallel-<env>.log`, truncated when the env starts.
// Writes are queued and flushed in order by one writer at a time; `pressure()` tells
// the producer to wait while too much is queued (backpressure). `closeSync()` writes
// whatever is queued at once, for the hard-exit path (a second Ctrl-C).
import { close, fsync, mkdirSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { openRegular } from './files';

const HIGH_WATER = 1024 * 1024;
const open_ = new Set<LogFile>();

/** Hard-exit path: write every open log's queue synchronously. */
export function closeAllSync(): void {
  for (const log of open_) log.closeSync();
}

export class LogFile {
  private queue: string[] = [];
  /** Everything queued is ASCII: written as latin1, a plain copy, instead of UTF-8 encoded. */
  private queueAscii = true;
  /** Queued or being written. */
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;
  /** The first write error, if any; later writes are dropped. */
  error: NodeJS.ErrnoException | undefined;

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static async open(path: string): Promise<LogFile> {
    // Opened at once, not through the thread pool: the envs then start their first
    // commands together instead of one open round trip after another.
    mkdirSync(dirname(path), { recursive: true });
    // Never through a link, never a FIFO or a device: only a regular file is a log.
    const log = new LogFile(path, openRegular(path, 'truncate'));
    open_.add(log);
    return log;
  }

  /** `ascii`: the caller knows every character of `text` is ASCII. */
  write(text: string, ascii = false): void {
    if (this.closed || this.error) return;
    this.queue.push(text);
    this.queueAscii &&= ascii;
    this.queuedBytes += text.length;
    this.flushing ??= this.flush();
  }

  line(text: string): void {
    this.write(text + '\n');
  }

  pressure(): Promise<void> | undefined {
    if (this.queuedBytes < HIGH_WATER) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async flush(): Promise<void> {
    while (this.queue.length && !this.error) {
      const data = this.queue.join('');
      const encoding = this.queueAscii ? 'latin1' : 'utf8';
      this.queue = [];
      this.queueAscii = true;
      try {
        await this.writeAll(Buffer.from(data, encoding));
      } catch (error) {
        this.error = error as NodeJS.ErrnoException;
      }
      // Bytes count until written, so pressure covers the write in flight too.
      this.queuedBytes -= data.length;
      this.release();
    }
    this.flushing = undefined;
    this.release();
  }

  /**
   * A write may take only part of the bytes (a nearly full disk): the rest is written
   * again, so a full disk ends in ENOSPC instead of a silently short log.
   */
  private async writeAll(buffer: Buffer): Promise<void> {
    for (let offset = 0; offset < buffer.length; ) {
      offset += await new Promise<number>((resolve, reject) =>
        write(this.fd, buffer, offset, buffer.length - offset, null, (e, n) =>
          e ? reject(e) : n > 0 ? resolve(n) : reject(Object.assign(new Error('write made no progress'), { code: 'EIO' })),
        ),
      );
    }
  }

  /** Resolves when everything written so far has reached the file (or failed: see `error`). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private release(): void {
    if (this.queuedBytes >= HIGH_WATER && !this.error) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.drained();
    this.closed = true;
    open_.delete(this);
    this.release();
    try {
      await new Promise<void>((resolve) => fsync(this.fd, () => resolve()));
    } finally {
      await new Promise<void>((resolve) => close(this.fd, () => resolve()));
    }
  }

  /** Hard-exit path: write the queue synchronously; the process is about to end. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    open_.delete(this);
    const pending = this.queue.join('');
    this.queue = [];
    if (pending) {
      try {
        // The same descriptor as the writes in flight, so nothing is written over.
        writeSync(this.fd, pending);
      } catch {
        // Nothing more can be done on the way out.
      }
    }
  }
}
