// One run per log dir: `<log-dir>/.esb-e2e.lock` holds the owner's pid. A second run on
// the same log dir refuses (its logs would interleave); a lock left by a dead run is taken
// over. Also proves the log dir is writable before anything starts.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';

export interface Lock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(logDir: string, shown: string = logDir): Lock {
  const path = join(logDir, '.esb-e2e.lock');
  try {
    mkdirSync(logDir, { recursive: true });
  } catch (error) {
    throw new ConfigError(`--log-dir ${shown}: cannot create it (${(error as NodeJS.ErrnoException).code})`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(`--log-dir ${shown}: cannot write to it (${code})`);
      const owner = Number.parseInt(readFileSafe(path), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new ConfigError(
          `another esb-e2e run (pid ${owner}) is using the log dir ${shown}; wait for it to finish, or give this run its own --log-dir`,
        );
      }
      // A dead run's lock: take it over.
      try {
        unlinkSync(path);
      } catch {
        // Someone else took it over first; the next attempt tells.
      }
    }
  }
  throw new ConfigError(`another esb-e2e run is starting on the log dir ${shown}; give this run its own --log-dir`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
