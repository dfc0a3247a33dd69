// One run per log dir: `<log-dir>/.esb-e2e.lock` holds the owner's pid and when that
// process started. A second run on the same log dir refuses (its logs would interleave); a
// lock left by a dead run is taken over, and so is one whose pid now belongs to another
// process (pids are reused: the start time tells them apart). Also proves the log dir is
// writable before anything starts.
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { readRegular } from './reader';

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

/** When a process started, in clock ticks since boot (Linux's /proc); null where that cannot be read. */
export function startTime(pid: number | 'self'): string | null {
  try {
    const stat = readRegular(`/proc/${pid}/stat`, 4096).toString('latin1');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Is the run that wrote this lock still running? Its pid alive and, where known, started when it did. */
export function holder(text: string, started: (pid: number) => string | null = startTime): number | null {
  const [pidText, recorded] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return null;
  if (recorded === undefined) return pid;
  const now = started(pid);
  return now === null || now === recorded ? pid : null;
}

export function acquireLock(logDir: string, shown: string = logDir): Lock {
  const path = join(logDir, '.esb-e2e.lock');
  try {
    mkdirSync(logDir, { recursive: true });
  } catch (error) {
    throw new ConfigError(`--log-dir ${shown}: cannot create it (${(error as NodeJS.ErrnoException).code})`);
  }
  const mine = `${process.pid} ${startTime('self') ?? ''}`.trim();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${mine}\n`);
      closeSync(fd);
      return lockAt(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(`--log-dir ${shown}: cannot write to it (${code})`);
      const owner = holder(readFileSafe(path));
      if (owner !== null) {
        throw new ConfigError(`another esb-e2e run (pid ${owner}) is using the log dir ${shown}; wait for it to finish, or give this run its own --log-dir`);
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

function lockAt(path: string): Lock {
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
}

function readFileSafe(path: string): string {
  try {
    // A regular file only: something else at the lock's path is never read (a FIFO would hang).
    return readRegular(path, 4096).toString('utf8');
  } catch {
    return '';
  }
}
