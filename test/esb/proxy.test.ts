// --with-proxy as data (src/esb/proxy.ts): the variables every phase inherits, in ESB's
// order, the proxy's flags, maven's settings and the Java proof's docker run.
import { describe, expect, it } from 'vitest';
import { filteredUpstreams, javaProofArgv, mavenSettings, probeArgv, proxyArgs, proxyUrl, proxyVars } from '../../src/esb/proxy';

const DEFAULTS = 'agent,database,gateway,local-proxy,localhost,registry,runtime-node,s3-storage,victorialogs,::1,10.88.0.0/16,10.99.0.1,127.0.0.1,172.20.0.0/16';

describe('proxyVars', () => {
  it('gives the URL in all four spellings, E2E_WITH_PROXY=1, and the host as the only extra', () => {
    const vars = proxyVars({}, '172.17.0.1');
    const url = 'http://proxy-user:proxy-pass@172.17.0.1:18888';
    expect(vars).toEqual({
      HTTP_PROXY: url,
      http_proxy: url,
      HTTPS_PROXY: url,
      https_proxy: url,
      E2E_WITH_PROXY: '1',
      ESB_NO_PROXY_EXTRA: '172.17.0.1',
      NO_PROXY: `${DEFAULTS},172.17.0.1`,
      no_proxy: `${DEFAULTS},172.17.0.1`,
    });
  });

  it('keeps what was set first, then the defaults, then the extras, each once', () => {
    const vars = proxyVars({ NO_PROXY: 'corp.example, localhost', no_proxy: 'intra.example,corp.example', ESB_NO_PROXY_EXTRA: 'build.example,172.17.0.1' }, '172.17.0.1');
    expect(vars.ESB_NO_PROXY_EXTRA).toBe('build.example,172.17.0.1');
    expect(vars.NO_PROXY).toBe(`corp.example,localhost,intra.example,${DEFAULTS.replace('localhost,', '')},build.example,172.17.0.1`);
    expect(vars.no_proxy).toBe(vars.NO_PROXY);
  });

  it('brackets an IPv6 host in the URL', () => {
    expect(proxyUrl('fd00::1')).toBe('http://proxy-user:proxy-pass@[fd00::1]:18888');
  });
});

describe('the proxy and its checks', () => {
  it("starts with ESB's flags, refusing upstream the no-proxy hosts without CIDRs or ports", () => {
    const argv = proxyArgs(18888, 'a.example,10.0.0.0/8,b.example:8080,::1,a.example');
    expect(argv).toEqual([
      '--hostname', '0.0.0.0', '--port', '18888', '--num-workers', '1', '--num-acceptors', '1', '--log-level', 'WARNING',
      '--basic-auth', 'proxy-user:proxy-pass', '--plugins', 'proxy.plugin.filter_by_upstream.FilterByUpstreamHostPlugin',
      '--filtered-upstream-hosts', 'a.example,b.example,::1',
    ]);
    expect(filteredUpstreams(DEFAULTS)).not.toContain('10.88.0.0/16');
  });

  it('probes the maven repository through the proxy with curl, 3 s at most', () => {
    expect(probeArgv('http://u:p@h:1')).toEqual(['curl', '--silent', '--show-error', '--fail', '--proxy', 'http://u:p@h:1', '--max-time', '3', '--output', '/dev/null', 'https://repo.maven.apache.org/maven2/']);
  });

  it("points maven's http and https at one proxy, with credentials and escaped non-proxy hosts", () => {
    const xml = mavenSettings({ host: '172.17.0.1', port: 41234 }, 'localhost,a&b,10.0.0.0/8');
    expect(xml.match(/<proxy>/g)).toHaveLength(2);
    expect(xml).toContain('<protocol>https</protocol>');
    expect(xml).toContain('<host>172.17.0.1</host>');
    expect(xml).toContain('<port>41234</port>');
    expect(xml).toContain('<username>proxy-user</username>');
    expect(xml).toContain('<nonProxyHosts>localhost|a&amp;b</nonProxyHosts>');
  });

  it('runs maven with only the settings file carrying a proxy: every proxy variable emptied', () => {
    const argv = javaProofArgv('/p/e2e/fixtures/functions/java/echo', '/tmp/x/through.xml');
    expect(argv.slice(0, 7)).toEqual(['docker', 'run', '--rm', '-v', '/p/e2e/fixtures/functions/java/echo:/src:ro', '-v', '/tmp/x/through.xml:/tmp/m2/settings.xml:ro']);
    for (const key of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) expect(argv).toContain(`${key}=`);
    expect(argv).toContain('MAVEN_CONFIG=/tmp/m2');
    expect(argv.at(-4)).toMatch(/^public\.ecr\.aws\/sam\/build-java21@sha256:5f78/);
    expect(argv.at(-1)).toContain('mvn -s /tmp/m2/settings.xml');
    expect(argv.at(-1)).toContain('dependency:go-offline');
  });
});
