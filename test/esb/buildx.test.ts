// src/esb/buildx.ts: the command lines of the buildx warm-up of ESB's current layout
// (ENV-CONTRACT.md "Before any env", step 2), the proxy variables a builder must carry,
// and when a builder's container carries exactly those.
import { describe, expect, it } from 'vitest';
import { PROXY_KEYS, builderContainer, containerEnvArgv, createArgv, inspectArgv, networkModeArgv, removeArgv, sameProxy, useArgv, wantedProxy } from '../../src/esb/buildx';

const BASE_CREATE = ['docker', 'buildx', 'create', '--name', 'esb-buildx', '--driver', 'docker-container', '--use', '--bootstrap', '--driver-opt', 'network=host'];

describe('asking about a builder', () => {
  it('the contract command lines, on the builder container buildx_buildkit_<name>0', () => {
    expect(builderContainer('esb-buildx')).toBe('buildx_buildkit_esb-buildx0');
    expect(inspectArgv('esb-buildx')).toEqual(['docker', 'buildx', 'inspect', '--builder', 'esb-buildx']);
    expect(networkModeArgv('esb-buildx')).toEqual(['docker', 'inspect', '-f', '{{.HostConfig.NetworkMode}}', 'buildx_buildkit_esb-buildx0']);
    expect(containerEnvArgv('esb-buildx-proxy')).toEqual(['docker', 'inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', 'buildx_buildkit_esb-buildx-proxy0']);
    expect(useArgv('esb-buildx')).toEqual(['docker', 'buildx', 'use', 'esb-buildx']);
    expect(removeArgv('esb-buildx')).toEqual(['docker', 'buildx', 'rm', 'esb-buildx']);
  });
});

describe('createArgv', () => {
  it('no proxy, no config: a docker-container builder on the host network, used and bootstrapped', () => {
    expect(createArgv('esb-buildx', [], null)).toEqual(BASE_CREATE);
  });

  it('with a buildkitd config: --buildkitd-config last', () => {
    expect(createArgv('esb-buildx', [], '/p/.esb/buildkitd.toml')).toEqual([...BASE_CREATE, '--buildkitd-config', '/p/.esb/buildkitd.toml']);
  });

  it('with proxy variables: one --driver-opt env.K=V each, in the order given (wantedProxy sorts them), before the config', () => {
    const proxy = wantedProxy({ https_proxy: 'http://p:1', HTTP_PROXY: 'http://P:1', NO_PROXY: 'localhost,registry' });
    expect(createArgv('esb-buildx-proxy', proxy, '/cfg.toml')).toEqual([
      'docker', 'buildx', 'create', '--name', 'esb-buildx-proxy', '--driver', 'docker-container', '--use', '--bootstrap',
      '--driver-opt', 'network=host',
      '--driver-opt', 'env.HTTP_PROXY=http://P:1',
      '--driver-opt', 'env.NO_PROXY=localhost,registry',
      '--driver-opt', 'env.https_proxy=http://p:1',
      '--buildkitd-config', '/cfg.toml',
    ]);
  });

  it('a value with = and commas stays one argument', () => {
    const argv = createArgv('b', [['NO_PROXY', 'a=b,c']], null);
    expect(argv.slice(-2)).toEqual(['--driver-opt', 'env.NO_PROXY=a=b,c']);
  });
});

describe('wantedProxy', () => {
  it('the six proxy variables that are set and non-empty, sorted by name', () => {
    expect(PROXY_KEYS.slice().sort()).toEqual(['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']);
    const all = Object.fromEntries(PROXY_KEYS.map((k) => [k, `v-${k}`]));
    expect(wantedProxy({ ...all, PATH: '/bin', ALL_PROXY: 'x' })).toEqual([
      ['HTTPS_PROXY', 'v-HTTPS_PROXY'],
      ['HTTP_PROXY', 'v-HTTP_PROXY'],
      ['NO_PROXY', 'v-NO_PROXY'],
      ['http_proxy', 'v-http_proxy'],
      ['https_proxy', 'v-https_proxy'],
      ['no_proxy', 'v-no_proxy'],
    ]);
  });

  it('ignores empty and unset values', () => {
    expect(wantedProxy({ HTTP_PROXY: '', https_proxy: undefined, NO_PROXY: 'localhost' })).toEqual([['NO_PROXY', 'localhost']]);
    expect(wantedProxy({})).toEqual([]);
    expect(wantedProxy({ HTTP_PROXY: '', HTTPS_PROXY: '' })).toEqual([]);
  });
});

describe('sameProxy', () => {
  const wanted: [string, string][] = [['HTTP_PROXY', 'http://h:1'], ['NO_PROXY', 'localhost']];

  it('true: no proxy wanted and none there (other variables do not count)', () => {
    expect(sameProxy('PATH=/usr/bin\nBUILDKIT_STEP_LOG_MAX_SIZE=1\n', [])).toBe(true);
    expect(sameProxy('', [])).toBe(true);
  });

  it('true: exactly the wanted values, in any order, other lines and a trailing CR/blank ignored', () => {
    expect(sameProxy('PATH=/bin\nNO_PROXY=localhost\nHTTP_PROXY=http://h:1\n\n', wanted)).toBe(true);
    expect(sameProxy('HTTP_PROXY=http://h:1\r\nNO_PROXY=localhost\r\n', wanted)).toBe(true);
  });

  it('a value holding "=" is read whole', () => {
    expect(sameProxy('HTTP_PROXY=http://u:p=w@h:1\n', [['HTTP_PROXY', 'http://u:p=w@h:1']])).toBe(true);
  });

  it('false: a proxy variable there that is not wanted (extra)', () => {
    expect(sameProxy('HTTP_PROXY=http://h:1\nNO_PROXY=localhost\nhttps_proxy=http://x:2\n', wanted)).toBe(false);
    expect(sameProxy('HTTP_PROXY=http://h:1\n', [])).toBe(false);
  });

  it('false: a wanted variable missing', () => {
    expect(sameProxy('HTTP_PROXY=http://h:1\n', wanted)).toBe(false);
    expect(sameProxy('PATH=/bin\n', wanted)).toBe(false);
  });

  it('false: a different value, or another spelling of the key', () => {
    expect(sameProxy('HTTP_PROXY=http://other:1\nNO_PROXY=localhost\n', wanted)).toBe(false);
    expect(sameProxy('http_proxy=http://h:1\nNO_PROXY=localhost\n', wanted)).toBe(false);
  });
});
