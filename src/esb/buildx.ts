// The shared buildx builder of ESB's current layout, as command lines: asked about, kept
// when it is on the host network with the wanted proxy variables, else created again.

/** The proxy variables a builder carries into its builds (as `--driver-opt env.K=V`). */
export const PROXY_KEYS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

/** The buildkit container buildx runs for a docker-container builder. */
export const builderContainer = (name: string) => `buildx_buildkit_${name}0`;

/** The proxy variables set (non-empty) in `vars`, sorted by name. */
export function wantedProxy(vars: Readonly<Record<string, string | undefined>>): [string, string][] {
  return PROXY_KEYS.filter((k) => vars[k]).sort().map((k) => [k, vars[k]!]);
}

export const inspectArgv = (name: string) => ['docker', 'buildx', 'inspect', '--builder', name];
export const networkModeArgv = (name: string) => ['docker', 'inspect', '-f', '{{.HostConfig.NetworkMode}}', builderContainer(name)];
export const containerEnvArgv = (name: string) => ['docker', 'inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', builderContainer(name)];
export const useArgv = (name: string) => ['docker', 'buildx', 'use', name];
export const removeArgv = (name: string) => ['docker', 'buildx', 'rm', name];

/** `docker buildx create --name B --driver docker-container --use --bootstrap --driver-opt network=host [env opts] [--buildkitd-config F]` */
export function createArgv(name: string, proxy: readonly [string, string][], config: string | null): string[] {
  return [
    'docker', 'buildx', 'create', '--name', name, '--driver', 'docker-container', '--use', '--bootstrap',
    '--driver-opt', 'network=host',
    ...proxy.flatMap(([k, v]) => ['--driver-opt', `env.${k}=${v}`]),
    ...(config ? ['--buildkitd-config', config] : []),
  ];
}

/** Does the builder's container (its `KEY=VALUE` lines) carry exactly the wanted proxy variables? */
export function sameProxy(envLines: string, wanted: readonly [string, string][]): boolean {
  const have = new Map<string, string>();
  for (const line of envLines.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && PROXY_KEYS.includes(line.slice(0, eq))) have.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return have.size === wanted.length && wanted.every(([k, v]) => have.get(k) === v);
}
