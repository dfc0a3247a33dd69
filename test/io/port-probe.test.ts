// isPortFree: a port someone listens on is busy.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { isPortFree } from '../../src/io/port-probe';

it('tells a busy port from a free one', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  const port = (server.address() as AddressInfo).port;
  expect(await isPortFree(port)).toBe(false);
  await new Promise<void>((r) => server.close(() => r()));
  expect(await isPortFree(port)).toBe(true);
});
