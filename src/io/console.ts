// The console: a writer over stdout that gathers lines into one write per tick and reports
// backpressure, so a slow reader of esb-e2e's output slows the children down, not memory up.
// A console that breaks (its reader gone, EPIPE, as with `| head -n 1`; a full device,
// ENOSPC) is let go: what would have gone to it is dropped, nobody waits on it any more,
// and the run goes on; every line is still in the env logs.

export class Output {
  private waiting: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private buffer = '';
  /** The buffer is all ASCII: handed over as latin1, a plain copy, instead of UTF-8 encoded. */
  private bufferAscii = true;
  private scheduled = false;
  /** Why the console stopped taking output (its error code), once it did. */
  broken: string | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly limit = 64 * 1024,
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => this.breakOff(error.code ?? error.message));
  }

  /**
   * Lines are gathered and handed to the stream in one write per tick (or per 64 KiB).
   * `ascii`: the caller knows every character of `text` is ASCII.
   */
  write(text: string, ascii = false): void {
    if (this.broken) return;
    this.buffer += text;
    this.bufferAscii &&= ascii;
    if (this.buffer.length >= this.limit) this.send();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.send();
      });
    }
  }

  /** Hand what is gathered to the stream now. */
  send(): void {
    if (!this.buffer || this.broken) return;
    const data = this.buffer;
    const encoding = this.bufferAscii ? 'latin1' : 'utf8';
    this.buffer = '';
    this.bufferAscii = true;
    if (!this.stream.write(data, encoding) && !this.waiting) {
      this.waiting = new Promise((resolve) => {
        this.release = resolve;
        this.stream.once('drain', () => this.unblock());
      });
    }
  }

  pressure(): Promise<void> | undefined {
    return this.waiting;
  }

  /** Resolves once everything written so far has been handed to the OS (at once when the console is gone). */
  flush(): Promise<void> {
    this.send();
    if (this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.write('', () => resolve());
      // A console that breaks meanwhile never calls back: stop waiting then too.
      this.stream.once('error', () => resolve());
    });
  }

  private unblock(): void {
    const release = this.release;
    this.waiting = undefined;
    this.release = undefined;
    release?.();
  }

  private breakOff(why: string): void {
    if (this.broken) return;
    this.broken = why;
    this.buffer = '';
    this.unblock();
  }
}
