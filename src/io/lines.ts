// Child output as lines: a byte stream split at LF (CR LF too), UTF-8 decoded by one
// streaming decoder per stream (a character split across reads stays whole; invalid bytes
// become U+FFFD), handed over a chunk's lines at a time, over-long lines cut into pieces.
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are cut into pieces, so memory stays flat whatever a child prints. */
export const MAX_LINE = 64 * 1024;

export interface LineGuard {
  mask(text: string): string;
  readonly span: number;
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

  constructor(
    private readonly emit: (lines: string[], text: string, ascii: boolean) => void,
    /**
     * Masks a line before it is cut into pieces, so a secret is never split across two
     * pieces (each masked alone would miss it); `span` is longer than anything it masks.
     */
    private readonly guard?: LineGuard,
  ) {}

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
    if (this.partial.length > MAX_LINE) this.emitPartial();
  }

  /**
   * What has no end yet goes out in pieces too; the last piece waits for the rest. With a
   * guard, the line is masked first and its last `span` characters wait too: a secret
   * whose start is in them is masked whole once its end arrives.
   */
  private emitPartial(): void {
    const text = this.guard ? this.guard.mask(this.partial) : this.partial;
    const keep = this.guard ? Math.min(this.guard.span, text.length) : 0;
    const pieces = cut(text.slice(0, text.length - keep));
    this.partial = pieces.pop()! + text.slice(text.length - keep);
    if (pieces.length) this.emit(pieces, pieces.join('\n'), this.partialAscii);
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
      lines = lines.flatMap((l) => cut(l.length > MAX_LINE && this.guard ? this.guard.mask(l) : l));
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
