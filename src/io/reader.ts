// Read-only view of the project's files. Planning takes one of these instead of
// touching node:fs itself, so it stays pure (and tests can hand it an in-memory tree).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export interface ProjectReader {
  /** 'file' | 'dir' | undefined when the path does not exist. */
  kind(path: string): 'file' | 'dir' | 'other' | undefined;
  /** File content as UTF-8; throws a NodeJS.ErrnoException when it cannot be read. */
  readText(path: string): string;
  /** md5 hex of a file, undefined when it does not exist. */
  md5(path: string): string | undefined;
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
    return readFileSync(path, 'utf8');
  },
  md5(path) {
    try {
      return createHash('md5').update(readFileSync(path)).digest('hex');
    } catch {
      return undefined;
    }
  },
};
