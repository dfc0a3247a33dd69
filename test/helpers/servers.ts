// Local HTTP and HTTPS (self-signed) servers on 127.0.0.1 for wait and readiness tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServer {
  port: number;
  url: string;
  requests: string[];
  close(): Promise<void>;
}

type Answer = (req: IncomingMessage, count: number) => number;

async function listen(server: Server, scheme: string, requests: string[]): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function httpServer(answer: Answer = () => 200): Promise<TestServer> {
  const requests: string[] = [];
  const server = createHttp((req, res) => {
    requests.push(req.url ?? '');
    res.statusCode = answer(req, requests.length);
    res.end('ok');
  });
  return listen(server, 'http', requests);
}

/** An HTTPS server with a fresh self-signed certificate (made with openssl). */
export function httpsServer(answer: Answer = () => 200): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  rmSync(dir, { recursive: true, force: true });
  const requests: string[] = [];
  const server = createHttps({ key, cert }, (req, res) => {
    requests.push(req.url ?? '');
    res.statusCode = answer(req, requests.length);
    res.end('ok');
  });
  return listen(server, 'https', requests);
}
