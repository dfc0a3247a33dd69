// src/esb/ports.ts: the port block and the registry's address.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { DEFAULT_PORT_VARS, assignPorts, portValue, registryVars, type PortBlock } from '../../src/esb/ports';

describe('ports', () => {
  const block = (index: number, envCount = 3): PortBlock => ({ vars: [...DEFAULT_PORT_VARS], base: 33000, block: 20, index, envCount });

  it('portValue: base + (index + shift*envCount)*block + offset', () => {
    expect(portValue(block(0), 'PORT_GATEWAY_HTTPS', 0)).toBe(33000);
    expect(portValue(block(2), 'PORT_S3_MGMT', 0)).toBe(33047);
    expect(portValue(block(2), 'PORT_S3_MGMT', 1)).toBe(33000 + (2 + 3) * 20 + 7);
  });

  it('assignPorts: unset, empty and 0 get the block; a set port is kept and not automatic', () => {
    const r = assignPorts(block(1), { PORT_GATEWAY_HTTPS: '0', PORT_GATEWAY_HTTP: '', PORT_S3: '41000', PORT_DATABASE: ' 42000 ' }, 0, 'm.yaml: matrix[1]');
    expect(r.values).toEqual({
      PORT_GATEWAY_HTTPS: 33020,
      PORT_GATEWAY_HTTP: 33021,
      PORT_AGENT_GRPC: 33022,
      PORT_AGENT_METRICS: 33023,
      PORT_VICTORIALOGS: 33024,
      PORT_DATABASE: 42000,
      PORT_S3: 41000,
      PORT_S3_MGMT: 33027,
    });
    expect(r.auto).toEqual(['PORT_GATEWAY_HTTPS', 'PORT_GATEWAY_HTTP', 'PORT_AGENT_GRPC', 'PORT_AGENT_METRICS', 'PORT_VICTORIALOGS', 'PORT_S3_MGMT']);
  });

  it.each(['abc', '12ab', '1.5', '-1', '70000', '65536'])('assignPorts: %s is not a port', (raw) => {
    const run = () => assignPorts(block(0), { PORT_S3: raw }, 0, 'm.yaml: matrix[0]');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(`m.yaml: matrix[0]: PORT_S3=${JSON.stringify(raw)} is not a port (1-65535, or 0 to let esb-e2e pick)`);
  });

  it('assignPorts: a block past 65535 is an error', () => {
    const high: PortBlock = { vars: ['PORT_A'], base: 65530, block: 20, index: 0, envCount: 1 };
    expect(assignPorts(high, {}, 0, 'w').values.PORT_A).toBe(65530);
    expect(() => assignPorts(high, {}, 1, 'w')).toThrow('w: no free port block left below 65535 for PORT_A');
  });
});

describe('registry', () => {
  it('registryVars: docker uses the host address, containerd the in-network name', () => {
    expect(registryVars('docker', 5010)).toEqual({
      PORT_REGISTRY: '5010',
      ESB_REGISTRY: '127.0.0.1:5010/',
      REGISTRY: '127.0.0.1:5010/',
      CONTAINER_REGISTRY: '127.0.0.1:5010',
      HOST_REGISTRY_ADDR: '127.0.0.1:5010',
      CONTAINER_REGISTRY_INSECURE: '1',
    });
    expect(registryVars('containerd', 6000)).toMatchObject({
      PORT_REGISTRY: '6000',
      ESB_REGISTRY: 'registry:5010/',
      REGISTRY: 'registry:5010/',
      CONTAINER_REGISTRY: 'registry:5010',
      HOST_REGISTRY_ADDR: '127.0.0.1:6000',
    });
  });
});
