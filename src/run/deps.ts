// The runner's effects, injected: spawning, waiting for URLs, probing ports, asking the
// engine, the clock. Tests hand in fakes or faster clocks; `realDeps` is the real thing.
import { exec, type Command, type ExecOptions, type ExecResult } from '../exec';
import { SocketApi, type DockerApi } from '../io/docker-api';
import { isPortFree } from '../io/port-probe';
import { waitForUrl, type WaitResult } from '../io/wait';

export interface RunnerDeps {
  exec(command: Command, options: ExecOptions): Promise<ExecResult>;
  wait(url: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult>;
  portFree(port: number): Promise<boolean>;
  /** A client of the engine at this unix socket once it answers, else why not. */
  dockerApi(socketPath: string): Promise<DockerApi | string>;
  now(): number;
  /** Interval of `[env] test running 2m30s` lines while a phase runs. */
  heartbeatMs: number;
}

export const realDeps: RunnerDeps = {
  exec,
  wait: waitForUrl,
  portFree: isPortFree,
  dockerApi: (socketPath) => SocketApi.connect(socketPath),
  now: () => Date.now(),
  heartbeatMs: 30_000,
};
