// A Docker engine API with nothing in it, on a unix socket: what esb-e2e asks an idle local
// dockerd (ping, listings by label, a container's or network's details) answered at once.
// The build's seeding run (seed-run-cache.mjs) and the benchmark (bench/lib.mjs) ask it, so
// neither depends on whether this machine has a dockerd.
import { createServer } from 'node:http';

/** Listens on `socket`; `requests()` counts what was asked, `close()` stops it. */
export async function serveIdleEngine(socket) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const path = (req.url ?? '/').split('?')[0];
    const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/_ping') return res.end('OK');
    if (path === '/containers/json' || path === '/networks') return json(200, []);
    if (path === '/volumes') return json(200, { Volumes: null, Warnings: null });
    json(404, { message: 'No such object' });
  });
  await new Promise((resolve) => server.listen(socket, resolve));
  return {
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
