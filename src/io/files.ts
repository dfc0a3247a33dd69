// The file effects of reports: atomic writes (temp file + rename, so a reader never sees
// half a report) and reading pytest's JUnit files of this run.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text);
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

/** A file's text when it was written at or after `sinceMs` (a JUnit file left by an older run does not count). */
export function readIfFresh(path: string, sinceMs: number): string | undefined {
  try {
    // File systems with coarse timestamps round down: allow two seconds.
    if (statSync(path).mtimeMs < sinceMs - 2000) return undefined;
    return readFileSync(path, 'utf8');
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
    };
    return `${e.code}${known[e.code] ? ` (${known[e.code]})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
