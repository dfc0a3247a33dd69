// Waiting for a URL to answer 200 (the gateway's /health, the registry's /v2/) or a port
// to accept connections (the proxy of --with-proxy). There is
// no event for "a server inside a container is ready", so this retries with a short,
// growing pause, each attempt bounded, until the deadline or an abort.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { seconds } from '../format';

export interface WaitResult {
  readonly ok: boolean;
  readonly reason: string | null;
  readonly attempts: number;
}

/** One GET; resolves to the status code or an error message. Self-signed TLS is accepted. */
export function probe(url: string, timeoutMs: number, signal?: AbortSignal): Promise<number | string> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve(`invalid URL ${url}`);
      return;
    }
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(target, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false, signal, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

export async function waitForUrl(url: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult> {
  return retry((left) => probe(url, left, signal), timeoutMs, signal, (got) => `${url} did not answer 200 within ${seconds(timeoutMs)} (last: ${got})`);
}

/** Until a TCP connection to host:port is accepted (a server that has started listening). */
export function waitForPort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult> {
  return retry((left) => connects(host, port, left), timeoutMs, signal, (got) => `nothing accepted connections on ${host}:${port} within ${seconds(timeoutMs)} (last: ${got})`);
}

function connects(host: string, port: number, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(200);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** `attempt` (bounded by the time left) until it gives 200, with a short growing pause between tries. */
async function retry(attempt: (leftMs: number) => Promise<number | string>, timeoutMs: number, signal: AbortSignal | undefined, failed: (got: string) => string): Promise<WaitResult> {
  const deadline = Date.now() + timeoutMs;
  let pause = 100;
  let last: number | string = 'no attempt';
  let attempts = 0;
  while (!signal?.aborted) {
    attempts++;
    const left = deadline - Date.now();
    last = await attempt(Math.max(100, Math.min(5000, left)));
    if (last === 200) return { ok: true, reason: null, attempts };
    if (Date.now() + pause >= deadline) break;
    await sleep(pause, signal);
    pause = Math.min(1000, pause * 2);
  }
  if (signal?.aborted) return { ok: false, reason: 'cancelled', attempts };
  return { ok: false, reason: failed(typeof last === 'number' ? `HTTP ${last}` : last), attempts };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
