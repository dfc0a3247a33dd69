// `--with-proxy` of ESB's current layout, as data: the variables every phase inherits (the
// proxy URL, the no-proxy list ESB's runner builds), the proxy's command line, and the
// Java proof's maven settings and `docker run`. Pure; src/run/proxy.ts runs them.

export const PROXY_PORT = 18888;
export const PROXY_USER = 'proxy-user';
export const PROXY_PASS = 'proxy-pass';
/** The proxy ESB's runner starts when `proxy` is not on PATH. */
export const PROXY_FALLBACK = ['uvx', '--from', 'proxy-py==2.4.10', 'proxy'];
/** Where the probe goes through the proxy: what the java builds need first. */
export const PROBE_URL = 'https://repo.maven.apache.org/maven2/';
/** A proxy nobody listens on: the proof's maven must fail through it. */
export const DEAD_PROXY = { host: '127.0.0.1', port: 9 };
/** The image the Java proof runs maven in (ESB's java fixture builds on it). */
export const JAVA_PROOF_IMAGE = 'public.ecr.aws/sam/build-java21@sha256:5f78d6d9124e54e5a7a9941ef179d74d88b7a5b117526ea8574137e5403b51b7';
/** The function whose dependencies the Java proof resolves. */
export const JAVA_PROOF_SOURCE = 'e2e/fixtures/functions/java/echo';
/** Names of the proxies' log files (`.parallel-<name>.log`); no env may take them. */
export const PROXY_LOGS = ['proxy-e2e', 'proxy-e2e-java-proof'] as const;

/** Service names and networks of ESB's stacks that never go through the proxy. */
const NO_PROXY_DEFAULTS = [
  'agent', 'database', 'gateway', 'local-proxy', 'localhost', 'registry', 'runtime-node', 's3-storage', 'victorialogs',
  '::1', '10.88.0.0/16', '10.99.0.1', '127.0.0.1', '172.20.0.0/16',
];
const URL_KEYS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'];

type Env = Readonly<Record<string, string | undefined>>;

export const proxyUrl = (host: string, port = PROXY_PORT): string => `http://${PROXY_USER}:${PROXY_PASS}@${hostPart(host)}:${port}`;
const hostPart = (host: string) => (host.includes(':') ? `[${host}]` : host);

const entries = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const unique = (list: readonly string[]): string[] => [...new Set(list)];

/**
 * What the runner's own env gets with `--with-proxy` (over the shell's): the proxy URL in
 * all four spellings, E2E_WITH_PROXY=1, the host added to ESB_NO_PROXY_EXTRA, and
 * NO_PROXY/no_proxy = what was set, then ESB's defaults, then the extras, each once.
 */
export function proxyVars(env: Env, host: string): Record<string, string> {
  const url = proxyUrl(host);
  const extras = unique([...entries(env.ESB_NO_PROXY_EXTRA), host]);
  const noProxy = unique([...entries(env.NO_PROXY), ...entries(env.no_proxy), ...NO_PROXY_DEFAULTS, ...extras]).join(',');
  return {
    ...Object.fromEntries(URL_KEYS.map((k) => [k, url])),
    E2E_WITH_PROXY: '1',
    ESB_NO_PROXY_EXTRA: extras.join(','),
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

/** The no-proxy hosts the proxy refuses to reach upstream: names and addresses, no CIDRs, no ports. */
export function filteredUpstreams(noProxy: string): string[] {
  const hosts = entries(noProxy)
    .filter((e) => !e.includes('/'))
    .map((e) => (/^[^:]+:\d+$/.test(e) ? e.slice(0, e.lastIndexOf(':')) : e));
  return unique(hosts);
}

/** The proxy's arguments (after the program): ESB's flags, listening on every interface. */
export function proxyArgs(port: number, noProxy: string): string[] {
  return [
    '--hostname', '0.0.0.0', '--port', String(port), '--num-workers', '1', '--num-acceptors', '1',
    '--log-level', 'WARNING', '--basic-auth', `${PROXY_USER}:${PROXY_PASS}`,
    '--plugins', 'proxy.plugin.filter_by_upstream.FilterByUpstreamHostPlugin',
    '--filtered-upstream-hosts', filteredUpstreams(noProxy).join(','),
  ];
}

/** `curl` through the proxy to the maven repository: the proxy reaches the outside. */
export const probeArgv = (url: string): string[] => ['curl', '--silent', '--show-error', '--fail', '--proxy', url, '--max-time', '3', '--output', '/dev/null', PROBE_URL];

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Maven settings sending http and https through one proxy (maven reads no *_PROXY variables). */
export function mavenSettings(proxy: { host: string; port: number }, noProxy: string): string {
  const nonProxy = filteredUpstreams(noProxy).join('|');
  const one = (protocol: string) =>
    [
      '    <proxy>',
      `      <id>esb-e2e-${protocol}</id>`,
      '      <active>true</active>',
      `      <protocol>${protocol}</protocol>`,
      `      <host>${xml(proxy.host)}</host>`,
      `      <port>${proxy.port}</port>`,
      `      <username>${PROXY_USER}</username>`,
      `      <password>${PROXY_PASS}</password>`,
      `      <nonProxyHosts>${xml(nonProxy)}</nonProxyHosts>`,
      '    </proxy>',
    ].join('\n');
  return ['<settings>', '  <proxies>', one('http'), one('https'), '  </proxies>', '</settings>', ''].join('\n');
}

/**
 * maven in the Java build image resolving the echo function's dependencies with only the
 * settings file's proxy: the proxy variables are emptied so nothing else can carry it.
 */
export function javaProofArgv(source: string, settings: string): string[] {
  const emptied = [...URL_KEYS, 'NO_PROXY', 'no_proxy'].flatMap((k) => ['-e', `${k}=`]);
  return [
    'docker', 'run', '--rm',
    '-v', `${source}:/src:ro`,
    '-v', `${settings}:/tmp/m2/settings.xml:ro`,
    '-e', 'MAVEN_CONFIG=/tmp/m2', '-e', 'HOME=/tmp',
    ...emptied,
    JAVA_PROOF_IMAGE,
    'bash', '-lc', 'cp -r /src /tmp/work && cd /tmp/work && mvn -s /tmp/m2/settings.xml -q -B dependency:go-offline',
  ];
}
