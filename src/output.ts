// The console side of reporters: a writer over stdout that reports backpressure, and the
// colouring of `[env]` prefixes (only those; logs and reports never hold colour codes).
import type { Color } from './cli';

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

/** `--color`: auto means a TTY, unless NO_COLOR is set; FORCE_COLOR forces it on. */
export function useColor(mode: Color, env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

const PALETTE = [36, 35, 33, 34, 32, 96, 95, 93, 94, 92];

/** Makes `[name] ` prefixes, coloured per name when asked. */
export class Prefixer {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly color: boolean,
    names: readonly string[] = [],
  ) {
    names.forEach((n) => this.get(n));
  }

  get(name: string): string {
    let prefix = this.cache.get(name);
    if (prefix === undefined) {
      const code = name === 'suite' || name === 'infra' ? 1 : PALETTE[this.cache.size % PALETTE.length]!;
      prefix = this.color ? `\x1b[${code}m[${name}]\x1b[0m ` : `[${name}] `;
      this.cache.set(name, prefix);
    }
    return prefix;
  }

  /** The name's prefix is all ASCII (env names are, by the matrix's rules). */
  ascii(name: string): boolean {
    return !/[^\x00-\x7f]/.test(this.get(name));
  }
}
