// Read-only view of the project's files. Planning takes one of these instead of
// touching node:fs itself, so it stays pure (and tests can hand it an in-memory tree).
// Only regular files are ever read (a FIFO or a device would be read forever), none
// larger than MAX_TEXT, and text is decoded strictly: UTF-8 (a BOM is dropped), or
// UTF-16 when a BOM says so; anything else is an error, never read as empty or garbled.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';

export interface ProjectReader {
  /** 'file' | 'dir' | undefined when the path does not exist. */
  kind(path: string): 'file' | 'dir' | 'other' | undefined;
  /** A regular file's text; throws a NodeJS.ErrnoException (code and message) when it cannot be read as text. */
  readText(path: string): string;
  /** md5 hex of a regular file, undefined when there is none at the path. */
  md5(path: string): string | undefined;
  /** The names in a folder, sorted; [] when it is not a readable folder. */
  list(path: string): string[];
}

/** The largest file read: configuration, never data. */
export const MAX_TEXT = 8 * 1024 * 1024;

export class UnreadableFile extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A regular file's bytes; never opens anything else for reading (O_NONBLOCK: a FIFO does not block the open). */
export function readRegular(path: string, limit = MAX_TEXT): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UnreadableFile('EISDIR', 'is a directory');
    if (!stat.isFile()) throw new UnreadableFile('ENOTREG', 'is not a regular file (a FIFO, socket or device)');
    if (stat.size > limit) throw new UnreadableFile('EFBIG', `is larger than ${limit / 1024 / 1024} MiB`);
    // Read to the end, not to the size: files in /proc say they are empty.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.max(4096, stat.size - total + 1));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new UnreadableFile('EFBIG', `is larger than ${limit / 1024 / 1024} MiB`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** Why a file could not be read, for a message: what is wrong with it, or the system's error code. */
export function whyUnreadable(error: unknown): string {
  if (error instanceof UnreadableFile) return error.message;
  return (error as NodeJS.ErrnoException)?.code ?? String(error);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text: UTF-8 (BOM dropped) or UTF-16 with a BOM; invalid text is an UnreadableFile. */
export function decodeText(bytes: Uint8Array): string {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  try {
    if (utf16) return new TextDecoder(utf16, { fatal: true }).decode(bytes.subarray(2));
    // TextDecoder drops a UTF-8 BOM itself.
    return utf8.decode(bytes);
  } catch {
    // An odd byte count or a lone surrogate after a UTF-16 byte order mark, or bytes that are not UTF-8.
    throw new UnreadableFile('EILSEQ', utf16 ? `starts with a ${utf16.toUpperCase()} byte order mark but is not ${utf16.toUpperCase()} text (save it as UTF-8)` : 'is not UTF-8 text (save it as UTF-8)');
  }
}

export const diskReader: ProjectReader = {
  kind(path) {
    try {
      const stat = statSync(path);
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : 'other';
    } catch {
      return undefined;
    }
  },
  readText(path) {
    return decodeText(readRegular(path));
  },
  md5(path) {
    try {
      return createHash('md5').update(readRegular(path)).digest('hex');
    } catch {
      return undefined;
    }
  },
  list(path) {
    try {
      return readdirSync(path).sort();
    } catch {
      return [];
    }
  },
};
