// Which Docker engine API answers an env's read-only questions: one client per engine
// socket, shared by the envs on it, and one read per docker config; null when the docker
// CLI must be asked (a remote engine, a context), or why the socket would not do.
import { configDir, currentContext, engineSocket, type DockerApi } from '../io/docker-api';
import type { Vars } from '../plan/env';
import type { RunnerDeps } from './deps';

export class Engines {
  private readonly clients = new Map<string, Promise<DockerApi | string>>();
  private readonly contexts = new Map<string | null, Promise<string | null>>();

  constructor(private readonly deps: Pick<RunnerDeps, 'dockerApi'>) {}

  /** The engine for these variables and docker context: a client, null (ask the CLI), or why its socket failed. */
  async of(vars: Readonly<Vars>, dockerContext: string | null): Promise<DockerApi | string | null> {
    const dir = configDir(vars);
    if (!this.contexts.has(dir)) this.contexts.set(dir, currentContext(dir));
    const socket = engineSocket(vars, dockerContext, await this.contexts.get(dir)!);
    if (!socket) return null;
    if (!this.clients.has(socket)) this.clients.set(socket, this.deps.dockerApi(socket));
    const api = await this.clients.get(socket)!;
    return typeof api === 'string' ? `docker engine API at unix://${socket}: ${api}; asking the docker CLI` : api;
  }
}
