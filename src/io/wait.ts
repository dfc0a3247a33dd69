// Waiting for a URL to answer 200: the gateway's /health, the registry's /v2/. There is
// no event for "a server inside a container is ready", so this retries with a short,
// growing pause, each attempt bounded, until the deadline or an abort.
import { request as httpRequest } from 'node:http';
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
  const deadline = Date.now() + timeoutMs;
  let pause = 100;
  let last: number | string = 'no attempt';
  let attempts = 0;
  while (!signal?.aborted) {
    attempts++;
    const left = deadline - Date.now();
    last = await probe(url, Math.max(100, Math.min(5000, left)), signal);
    if (last === 200) return { ok: true, reason: null, attempts };
    if (Date.now() + pause >= deadline) break;
    await sleep(pause, signal);
    pause = Math.min(1000, pause * 2);
  }
  if (signal?.aborted) return { ok: false, reason: 'cancelled', attempts };
  const got = typeof last === 'number' ? `HTTP ${last}` : last;
  return { ok: false, reason: `${url} did not answer 200 within ${seconds(timeoutMs)} (last: ${got})`, attempts };
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
