// src/esb/legacy.ts (and the machinery of conventions.ts): the legacy layout's table of
// managed variables, credentials, pytest's own.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentials, isManagedKey as isManagedIn, managedVars as managedIn, replacedByManaged as replacedIn, uniqueClaims as claimsIn, type ManagedContext } from '../../src/esb/conventions';
import { managedContext } from '../helpers/managed-context';
import { LEGACY } from '../../src/esb/legacy';

const MANAGED = LEGACY.managed;
const isManagedKey = (key: string, ports: readonly string[]) => isManagedIn(LEGACY, key, ports);
const isGatewayKey = (key: string) => LEGACY.isGatewayKey(key);
const managedVars = (ctx: ManagedContext) => managedIn(LEGACY, ctx).vars;
const replacedByManaged = (key: string) => replacedIn(LEGACY, key);
const uniqueClaims = (vars: Record<string, string>, mode: 'docker' | 'containerd') => claimsIn(LEGACY, vars, mode);
const pytestVars = (env: Record<string, string>, gateway: Record<string, string>) => LEGACY.pytestVars(env, gateway, { discovered: null, certDir: '/c' });
import { DEFAULT_PORT_VARS } from '../../src/esb/ports';

describe('credentials and managed keys', () => {
  it('credentials: generated with the right sizes when unset, kept when set', () => {
    const asked: number[] = [];
    const random = (bytes: number) => {
      asked.push(bytes);
      return 'f'.repeat(bytes * 2);
    };
    expect(credentials({}, random)).toEqual({
      AUTH_USER: 'esb',
      RUSTFS_ACCESS_KEY: 'esb',
      AUTH_PASS: 'f'.repeat(32),
      RUSTFS_SECRET_KEY: 'f'.repeat(32),
      JWT_SECRET_KEY: 'f'.repeat(64),
      X_API_KEY: 'f'.repeat(64),
    });
    expect(asked.sort()).toEqual([16, 16, 32, 32]);
    asked.length = 0;
    const kept = credentials({ AUTH_USER: 'admin', AUTH_PASS: 'pw-given', X_API_KEY: 'key-given' }, random);
    expect(kept).toMatchObject({ AUTH_USER: 'admin', AUTH_PASS: 'pw-given', X_API_KEY: 'key-given' });
    expect(asked.sort()).toEqual([16, 32]);
  });

  it('credentials: an empty value counts as unset', () => {
    expect(credentials({ AUTH_PASS: '' }, () => 'gen').AUTH_PASS).toBe('gen');
  });

  it('isManagedKey / isGatewayKey', () => {
    for (const key of ['ENV', 'ESB_TAG', 'PROJECT_NAME', 'X_API_KEY', 'CONFIG_DIR', 'GATEWAY_URL', 'AUTH_ENDPOINT_PATH', 'PORT_GATEWAY_HTTPS', 'AGENT_GRPC_TLS_CA']) {
      expect(isManagedKey(key, DEFAULT_PORT_VARS)).toBe(true);
    }
    for (const key of ['PATH', 'HOME', 'LOG_LEVEL', 'PORT_REGISTRY', 'CI']) expect(isManagedKey(key, DEFAULT_PORT_VARS)).toBe(false);
    expect(isManagedKey('PORT_CUSTOM', ['PORT_CUSTOM'])).toBe(true);
    expect(isGatewayKey('AGENT_GRPC_TLS_CERT')).toBe(true);
    expect(isGatewayKey('CONTAINERS_NETWORK')).toBe(true);
    expect(isGatewayKey('GATEWAY_INTERNAL_URL')).toBe(true);
    expect(isGatewayKey('GATEWAY_URL')).toBe(false);
  });
});

describe('managedVars', () => {
  const ctx = (over: Partial<ManagedContext> = {}): ManagedContext =>
    managedContext({ env: 'alpha', composeFile: 'envs/alpha/docker-compose.yml', ...over });

  it('sets the contract keys from the context', () => {
    const vars = managedVars(ctx());
    expect(vars).toMatchObject({
      ENV: 'alpha',
      ESB_ENV: 'alpha',
      MODE: 'docker',
      ESB_MODE: 'docker',
      ESB_PROJECT: 'esb',
      PROJECT_NAME: 'esb-alpha',
      E2E_COMPOSE_FILE: 'envs/alpha/docker-compose.yml',
      ESB_TAG: 'e2e-alpha-latest',
      NETWORK_EXTERNAL: 'esb-alpha-external',
      SUBNET_EXTERNAL: '172.67.0.0/16',
      RUNTIME_NET_SUBNET: '172.107.0.0/16',
      RUNTIME_NODE_IP: '172.107.0.10',
      LAMBDA_NETWORK: 'esb_int_alpha',
      CERT_DIR: '/home/u/.esb/certs',
      ESB_HOME: '/proj/e2e/fixtures/.esb/alpha',
      BUILDX_BUILDER: 'esb-buildx-alpha',
      BUILDX_CACHE_DIR: '.esb/buildx-cache/alpha',
    });
    expect(vars.ROOT_CA_FINGERPRINT).toBeUndefined();
    expect(vars.DOCKER_HOST).toBeUndefined();
  });

  it('ROOT_CA_FINGERPRINT from the CA file in CERT_DIR; DOCKER_HOST for a remote engine', () => {
    const asked: string[] = [];
    const vars = managedVars(ctx({ dockerHost: 'ssh://ci@host-2', md5: (p) => (asked.push(p), 'f00d'), userCertDir: '~/certs' }));
    expect(vars.CERT_DIR).toBe('/home/u/certs');
    expect(asked).toEqual([join('/home/u/certs', 'rootCA.crt')]);
    expect(vars.ROOT_CA_FINGERPRINT).toBe('f00d');
    expect(vars.DOCKER_HOST).toBe('ssh://ci@host-2');
  });

  it('sets every key of the table (but the ones whose rule gives nothing), and nothing else', () => {
    const vars = managedVars(ctx({ dockerContext: 'remote' }));
    const absent = Object.keys(MANAGED).filter((k) => !(k in vars));
    expect(absent.sort()).toEqual(['DOCKER_HOST', 'ROOT_CA_FINGERPRINT']);
    expect(Object.keys(vars).every((k) => k in MANAGED)).toBe(true);
  });
});

describe('what the table says about each key', () => {
  it('the shell never supplies a managed key, but for its own settings (the registry port, a remote engine)', () => {
    const shell = Object.keys(MANAGED).filter((k) => !isManagedKey(k, DEFAULT_PORT_VARS));
    expect(shell.sort()).toEqual(['DOCKER_HOST', 'PORT_REGISTRY']);
  });

  it('a matrix value for a managed key gets a note, but CERT_DIR (the user value is taken) and PORT_REGISTRY (checked instead)', () => {
    const quiet = Object.keys(MANAGED).filter((k) => !replacedByManaged(k));
    expect(quiet.sort()).toEqual(['CERT_DIR', 'PORT_REGISTRY']);
    expect(replacedByManaged('LOG_LEVEL')).toBe(false);
  });

  it('the values two envs may not share: project, networks, subnets (the runtime one for containerd only), state dirs', () => {
    const vars = { PROJECT_NAME: 'esb-a', NETWORK_EXTERNAL: 'n', SUBNET_EXTERNAL: '172.60.0.0/16', RUNTIME_NET_SUBNET: '172.100.0.0/16', LAMBDA_NETWORK: 'l', CONFIG_DIR: '/c', ESB_HOME: '/h', ENV: 'a' };
    const claims = (mode: 'docker' | 'containerd') => uniqueClaims(vars, mode).map(([claim]) => claim);
    expect(claims('docker')).toEqual([
      'PROJECT_NAME=esb-a',
      'NETWORK_EXTERNAL=n',
      'SUBNET_EXTERNAL=172.60.0.0/16',
      'subnet 172.60.0.0/16',
      'LAMBDA_NETWORK=l',
      'CONFIG_DIR=/c',
      'ESB_HOME=/h',
    ]);
    expect(claims('containerd')).toContain('subnet 172.100.0.0/16');
  });
});

describe('pytestVars', () => {
  it('builds the URLs pytest reads from the ports', () => {
    const env = { PORT_GATEWAY_HTTPS: '33000', PORT_VICTORIALOGS: '33004', PORT_AGENT_METRICS: '33003', PORT_AGENT_GRPC: '33002' };
    expect(pytestVars(env, {})).toEqual({
      GATEWAY_PORT: '33000',
      GATEWAY_URL: 'https://localhost:33000',
      VICTORIALOGS_PORT: '33004',
      VICTORIALOGS_URL: 'http://localhost:33004',
      AGENT_METRICS_PORT: '33003',
      AGENT_METRICS_URL: 'http://localhost:33003',
      AGENT_GRPC_ADDRESS: 'localhost:33002',
      AUTH_ENDPOINT_PATH: '/user/auth/v1',
    });
  });

  it('omits URLs for missing ports and keeps an AUTH_ENDPOINT_PATH the env sets', () => {
    expect(pytestVars({ AUTH_ENDPOINT_PATH: '/custom' }, {})).toEqual({ AUTH_ENDPOINT_PATH: '/custom' });
  });

  it('takes only the gateway keys from the gateway container env', () => {
    const out = pytestVars({}, { AGENT_GRPC_TLS_CERT: '/c.pem', CONTAINERS_NETWORK: 'net', GATEWAY_INTERNAL_URL: 'https://gateway:443', PATH: '/bin', SECRET: 'x' });
    expect(out).toEqual({ AUTH_ENDPOINT_PATH: '/user/auth/v1', AGENT_GRPC_TLS_CERT: '/c.pem', CONTAINERS_NETWORK: 'net', GATEWAY_INTERNAL_URL: 'https://gateway:443' });
  });
});
