// Where the proxy of --with-proxy listens for containers: the gateway of Docker's default
// bridge (the host as containers see it), asked before planning; 127.0.0.1 when the
// engine does not say.
import { exec } from '../exec';
import { filterVars } from '../plan/env';

const ADDRESS = /^[0-9a-fA-F:.]+$/;

export async function proxyHost(env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<string> {
  const asked = await exec(
    { argv: ['docker', 'network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'], env: filterVars(env, () => true), cwd },
    { capture: true, timeoutMs: 10_000 },
  );
  const host = asked.ok ? asked.stdout.trim() : '';
  return ADDRESS.test(host) ? host : '127.0.0.1';
}
