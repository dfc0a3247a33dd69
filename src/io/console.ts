// The console: a writer over stdout that gathers lines into one write per tick and reports
// backpressure, so a slow reader of esb-e2e's output slows the children down, not memory up.

export class Output {
  private waiting: Promise<void> | undefined;
  private buffer = '';
  /** The buffer is all ASCII: handed over as latin1, a plain copy, instead of UTF-8 encoded. */
  private bufferAscii = true;
  private scheduled = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly limit = 64 * 1024,
  ) {}

  /**
   * Lines are gathered and handed to the stream in one write per tick (or per 64 KiB).
   * `ascii`: the caller knows every character of `text` is ASCII.
   */
  write(text: string, ascii = false): void {
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
    if (!this.buffer) return;
    const data = this.buffer;
    const encoding = this.bufferAscii ? 'latin1' : 'utf8';
    this.buffer = '';
    this.bufferAscii = true;
    if (!this.stream.write(data, encoding) && !this.waiting) {
      this.waiting = new Promise((resolve) =>
        this.stream.once('drain', () => {
          this.waiting = undefined;
          resolve();
        }),
      );
    }
  }

  pressure(): Promise<void> | undefined {
    return this.waiting;
  }

  /** Resolves once everything written so far has been handed to the OS. */
  flush(): Promise<void> {
    this.send();
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }
}
