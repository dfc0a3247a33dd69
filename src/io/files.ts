// Every file a run writes goes through here, and nothing here replaces or writes through
// what is not a regular file: a symlink, a device, a FIFO or a folder at an output path is
// refused (up front by `outputProblem`, and again at the moment of writing). Reports are
// written atomically (temp file + rename, so a reader never sees half of one); logs are
// opened without following links and without waiting on a FIFO.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readRegular } from './reader';

/** What stands at a path, for messages: `a symlink`, `a character device`, ... */
function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isSymbolicLink()) return 'a symlink';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Why a run may not write a file at `path`, or null when it may: something other than a
 * regular file is there, or one of its folders is a file.
 */
export function outputProblem(path: string): string | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return errorText(error);
    return ancestorProblem(dirname(path));
  }
  return stat.isFile() ? null : `${kindOf(stat)} is there, not a regular file; it is not replaced (give another path)`;
}

function ancestorProblem(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const stat = statSync(d);
      return stat.isDirectory() ? null : `${d} is a file, not a folder`;
    } catch {
      if (dirname(d) === d) return null;
    }
  }
}

/** Opens a regular file for writing (created when absent), never through a link, never blocking on a FIFO. */
export function openRegular(path: string, mode: 'truncate' | 'append'): number {
  const how = mode === 'append' ? constants.O_APPEND : constants.O_TRUNC;
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | how, 0o644);
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw Object.assign(new Error(`${path}: ${kindOf(stat)} is there, not a regular file`), { code: 'ENOTREG' });
  }
  return fd;
}

/** Replaces a regular file (or makes one) whole; what is not a regular file at the path is refused, never replaced. */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const there = lstatOrNull(path);
  if (there && !there.isFile()) throw Object.assign(new Error(`${path}: ${kindOf(there)} is there, not a regular file`), { code: 'ENOTREG' });
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // O_EXCL: a link planted at the temporary name is not followed either.
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      writeAll(fd, Buffer.from(text));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never created.
    }
    throw error;
  }
}

/** Removes files an earlier run left (a link is removed, not followed; a folder is left alone). */
export function removeStale(paths: readonly string[]): void {
  for (const path of paths) {
    const there = lstatOrNull(path);
    try {
      if (there && !there.isDirectory()) unlinkSync(path);
    } catch {
      // Left as it is: nothing this run reports points at a file it did not write.
    }
  }
}

/** Appends to a regular file (GitHub's step summary), never through a link. */
export function appendRegular(path: string, text: string): void {
  const fd = openRegular(path, 'append');
  try {
    writeAll(fd, Buffer.from(text));
  } finally {
    closeSync(fd);
  }
}

function lstatOrNull(path: string): import('node:fs').Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset);
}

/** A file's text when it was written at or after `sinceMs` (a JUnit file left by an older run does not count). */
export function readIfFresh(path: string, sinceMs: number): string | undefined {
  try {
    // File systems with coarse timestamps round down: allow two seconds.
    if (statSync(path).mtimeMs < sinceMs - 2000) return undefined;
    return readRegular(path, 64 * 1024 * 1024).toString('utf8');
  } catch {
    return undefined;
  }
}

export function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const known: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      ENOTDIR: 'a parent is not a directory',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on device',
      ELOOP: 'a symlink is there; it is not followed',
      ENXIO: 'a FIFO with no reader is there',
      ENOTREG: e.message,
    };
    return `${e.code}${known[e.code] ? ` (${known[e.code]})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The real path of a path that may not exist yet: its deepest existing folder's, plus the rest. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}
