// The runner's effects, injected: spawning, waiting for URLs, probing ports, asking the
// engine, the clock. Tests hand in fakes or faster clocks; `realDeps` is the real thing.
import { exec, type Command, type ExecOptions, type ExecResult } from '../exec';
import { SocketApi, type DockerApi } from '../io/docker-api';
import { freePort, isPortFree } from '../io/port-probe';
import { waitForPort, waitForUrl, type WaitResult } from '../io/wait';

export interface RunnerDeps {
  exec(command: Command, options: ExecOptions): Promise<ExecResult>;
  wait(url: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult>;
  /** Until host:port accepts connections (the proxy of --with-proxy). */
  waitPort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult>;
  /** A port free now, for the Java proof's proxy. */
  freePort(): Promise<number>;
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
  waitPort: waitForPort,
  freePort,
  portFree: isPortFree,
  dockerApi: (socketPath) => SocketApi.connect(socketPath),
  now: () => Date.now(),
  heartbeatMs: 30_000,
};
