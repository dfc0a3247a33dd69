// waitForUrl: 200 within the timeout, self-signed TLS accepted, a clear reason otherwise.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probe, waitForUrl } from '../../src/io/wait';
import { httpServer, httpsServer, type TestServer } from '../helpers/servers';

let flaky: TestServer;
let tls: TestServer;
beforeAll(async () => {
  flaky = await httpServer((_req, n) => (n < 3 ? 503 : 200));
  tls = await httpsServer();
});
afterAll(async () => {
  await flaky.close();
  await tls.close();
});

it('retries until the URL answers 200', async () => {
  const r = await waitForUrl(`${flaky.url}/health`, 10_000);
  expect(r.ok).toBe(true);
  expect(r.attempts).toBe(3);
});

it('accepts a self-signed certificate', async () => {
  expect(await probe(`${tls.url}/health`, 2000)).toBe(200);
  expect((await waitForUrl(`${tls.url}/health`, 5000)).ok).toBe(true);
});

it('gives up at the deadline with the last answer', async () => {
  const never = await httpServer(() => 500);
  const r = await waitForUrl(`${never.url}/v2/`, 600);
  await never.close();
  expect(r.ok).toBe(false);
  expect(r.reason).toMatch(/did not answer 200 within 0.6s \(last: HTTP 500\)/);
});

it('stops at once when aborted', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const started = Date.now();
  const r = await waitForUrl('http://127.0.0.1:9/none', 30_000, ac.signal);
  expect(r.reason).toBe('cancelled');
  expect(Date.now() - started).toBeLessThan(2000);
});
