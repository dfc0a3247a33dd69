// Read-only questions to the Docker engine over its unix socket, with no process started:
// what a compose project left behind (by label), which host ports its containers
// published, a container's env. Each answer costs one HTTP request instead of a `docker`
// process, which is most of what the runner spends between an env's real steps. Engines
// reached any other way (tcp, ssh, a context) are asked through the docker CLI instead.
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { decodeText, readRegular } from './reader';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
const REQUEST_TIMEOUT_MS = 30_000;
const PING_TIMEOUT_MS = 5_000;

/** One published port of a running container, as compose set it up. */
export interface PortMapping {
  readonly service: string;
  readonly privatePort: number;
  readonly publicPort: number;
}

export interface Leftovers {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

export interface DockerApi {
  /** Where it asks, for the log: `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** Containers (running or not), networks and volumes carrying `label` (`key=value`). */
  leftovers(label: string, signal?: AbortSignal): Promise<Leftovers>;
  /** Published tcp ports of the running containers carrying `label`. */
  publishedPorts(label: string, signal?: AbortSignal): Promise<PortMapping[]>;
  /** A container's `Config.Env` as variables; null when there is no such container. */
  containerEnv(name: string, signal?: AbortSignal): Promise<Record<string, string> | null>;
  /** Names of the containers attached to a network; null when there is no such network. */
  networkMembers(name: string, signal?: AbortSignal): Promise<string[] | null>;
}

/** `["KEY=VALUE", ...]` (a container's Config.Env) as variables; an entry without `=` is empty. */
export function envListVars(list: readonly string[]): Record<string, string> {
  return Object.fromEntries(list.map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, ''])));
}

/**
 * The unix socket the docker CLI would talk to with these variables, or null when it would
 * go elsewhere (tcp or ssh DOCKER_HOST, a context) and only the CLI knows how.
 * `currentContext` is the docker config's `currentContext`.
 */
export function engineSocket(vars: Readonly<Record<string, string>>, context: string | null, currentContext: string | null): string | null {
  if (context) return null;
  const named = vars.DOCKER_CONTEXT || currentContext;
  if (named && named !== 'default') return null;
  const host = vars.DOCKER_HOST;
  if (!host) return DEFAULT_SOCKET;
  return host.startsWith('unix://') && host.length > 'unix://'.length ? host.slice('unix://'.length) : null;
}

/** Where the docker CLI keeps its config: DOCKER_CONFIG, else ~/.docker. */
export function configDir(vars: Readonly<Record<string, string>>): string | null {
  return vars.DOCKER_CONFIG || (vars.HOME ? join(vars.HOME, '.docker') : null);
}

/** The docker CLI's current context from the config file in `dir`. */
export async function currentContext(dir: string | null): Promise<string | null> {
  if (!dir) return null;
  try {
    // Read as the project's files are: a regular file only (a FIFO there would hang the run).
    const config = JSON.parse(decodeText(readRegular(join(dir, 'config.json')))) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' && config.currentContext ? config.currentContext : null;
  } catch {
    // No config, or one the CLI would reject anyway: it then uses the default socket too.
    return null;
  }
}

/** The query of a listing filtered by one label (`key` or `key=value`). */
const labelFilter = (label: string) => `filters=${encodeURIComponent(JSON.stringify({ label: [label] }))}`;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A client for the engine at `socketPath`; `connect` checks first that it answers. */
export class SocketApi implements DockerApi {
  readonly endpoint: string;

  private constructor(private readonly socketPath: string) {
    this.endpoint = `unix://${socketPath}`;
  }

  /** The client when the engine answers `/_ping` with OK, else why not (for the log). */
  static async connect(socketPath: string, timeoutMs = PING_TIMEOUT_MS): Promise<SocketApi | string> {
    const api = new SocketApi(socketPath);
    try {
      const body = await api.get('/_ping', undefined, timeoutMs);
      if (body.trim() === 'OK') return api;
      return `unexpected answer to /_ping: ${JSON.stringify(body.slice(0, 40))}`;
    } catch (e) {
      return (e as Error).message;
    }
  }

  async leftovers(label: string, signal?: AbortSignal): Promise<Leftovers> {
    const q = labelFilter(label);
    const [containers, networks, volumes] = await Promise.all([
      this.json<Array<{ Id: string }>>(`/containers/json?all=1&${q}`, signal),
      this.json<Array<{ Id: string }>>(`/networks?${q}`, signal),
      this.json<{ Volumes: Array<{ Name: string }> | null }>(`/volumes?${q}`, signal),
    ]);
    return {
      containers: containers.map((c) => c.Id),
      networks: networks.map((n) => n.Id),
      volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    };
  }

  async publishedPorts(label: string, signal?: AbortSignal): Promise<PortMapping[]> {
    const q = labelFilter(label);
    type Summary = { Labels?: Record<string, string>; Ports?: Array<{ PrivatePort: number; PublicPort?: number; Type: string }> };
    const containers = await this.json<Summary[]>(`/containers/json?${q}`, signal);
    return containers.flatMap((c) => {
      const service = c.Labels?.['com.docker.compose.service'] ?? '';
      return (c.Ports ?? [])
        .filter((p) => p.Type === 'tcp' && p.PublicPort)
        .map((p) => ({ service, privatePort: p.PrivatePort, publicPort: p.PublicPort! }));
    });
  }

  async containerEnv(name: string, signal?: AbortSignal): Promise<Record<string, string> | null> {
    const info = await this.jsonOrNull<{ Config?: { Env?: string[] | null } }>(`/containers/${encodeURIComponent(name)}/json`, signal);
    return info && envListVars(info.Config?.Env ?? []);
  }

  async networkMembers(name: string, signal?: AbortSignal): Promise<string[] | null> {
    const info = await this.jsonOrNull<{ Containers?: Record<string, { Name?: string }> | null }>(`/networks/${encodeURIComponent(name)}`, signal);
    return info && Object.values(info.Containers ?? {}).map((c) => c.Name ?? '');
  }

  /** The answer, or null when the engine has no such thing (404). */
  private async jsonOrNull<T>(path: string, signal?: AbortSignal): Promise<T | null> {
    try {
      return await this.json<T>(path, signal);
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return null;
      throw e;
    }
  }

  private async json<T>(path: string, signal?: AbortSignal): Promise<T> {
    const body = await this.get(path, signal, REQUEST_TIMEOUT_MS);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new Error(`docker API ${path.split('?')[0]}: not JSON`);
    }
  }

  private get(path: string, signal: AbortSignal | undefined, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const where = `docker API ${path.split('?')[0]}`;
      const req = request(
        // A connection of our own per request, not an http Agent: the Agent's first request
        // costs ~10 ms of main-thread time (it checks whether the host is an IP address),
        // and a unix socket connects in microseconds.
        { createConnection: () => connect(this.socketPath), path, method: 'GET', headers: { host: 'docker' }, ...(signal ? { signal } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new Error(`${where}: ${e.message}`)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(text);
            let message = text.trim();
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
              // Not JSON: keep the text.
            }
            reject(new HttpError(status, `${where}: HTTP ${status}${message ? `: ${message}` : ''}`));
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs / 1000}s`)));
      req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(`${where}: ${e.code === 'ABORT_ERR' ? 'cancelled' : e.message}`)));
      req.end();
    });
  }
}
