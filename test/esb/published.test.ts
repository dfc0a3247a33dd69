// src/esb/published.ts: published ports of ESB services, as PORT_* variables.
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PORTS, matchPublishedPorts, parsePublishedPorts } from '../../src/esb/published';

describe('matchPublishedPorts', () => {
  it('maps (service, container port) to its variable; the first mapping wins; others are ignored', () => {
    expect(
      matchPublishedPorts(
        [
          { service: 'gateway', privatePort: 8443, publicPort: 40219 },
          { service: 'gateway', privatePort: 8443, publicPort: 40220 },
          { service: 'runtime-node', privatePort: 50051, publicPort: 41051 },
          { service: 'gateway', privatePort: 9999, publicPort: 1 },
          { service: 'unknown', privatePort: 8000, publicPort: 2 },
        ],
        PUBLISHED_PORTS,
      ),
    ).toEqual({ PORT_GATEWAY_HTTPS: '40219', PORT_AGENT_GRPC: '41051' });
  });
});

describe('parsePublishedPorts', () => {
  it('maps a realistic docker ps listing to variables (first mapping wins, IPv6 duplicate ignored)', () => {
    const listing = [
      'gateway\t0.0.0.0:33001->8080/tcp, [::]:33001->8080/tcp, 0.0.0.0:33000->8443/tcp, [::]:33000->8443/tcp',
      'victorialogs\t0.0.0.0:33004->9428/tcp',
      'database\t0.0.0.0:33005->8000/tcp',
      's3-storage\t0.0.0.0:33006->9000/tcp, 0.0.0.0:33007->9001/tcp',
      'agent\t0.0.0.0:33002->50051/tcp, 0.0.0.0:33003->9091/tcp',
      'provisioner\t',
      'other\t0.0.0.0:1234->80/tcp',
      '',
    ].join('\n');
    expect(parsePublishedPorts(listing, PUBLISHED_PORTS)).toEqual({
      PORT_GATEWAY_HTTP: '33001',
      PORT_GATEWAY_HTTPS: '33000',
      PORT_VICTORIALOGS: '33004',
      PORT_DATABASE: '33005',
      PORT_S3: '33006',
      PORT_S3_MGMT: '33007',
      PORT_AGENT_GRPC: '33002',
      PORT_AGENT_METRICS: '33003',
    });
  });

  it('the exact line from the brief', () => {
    expect(parsePublishedPorts('gateway\t0.0.0.0:33001->8080/tcp, [::]:33001->8080/tcp', PUBLISHED_PORTS)).toEqual({ PORT_GATEWAY_HTTP: '33001' });
  });

  it('containerd: runtime-node publishes the gateway and agent ports', () => {
    const listing = 'runtime-node\t0.0.0.0:41443->8443/tcp, 0.0.0.0:41051->50051/tcp, 0.0.0.0:41091->9091/tcp\n';
    expect(parsePublishedPorts(listing, PUBLISHED_PORTS)).toEqual({
      PORT_GATEWAY_HTTPS: '41443',
      PORT_AGENT_GRPC: '41051',
      PORT_AGENT_METRICS: '41091',
    });
  });

  it('ignores unpublished container ports, udp and empty output', () => {
    expect(parsePublishedPorts('gateway\t8080/tcp, 0.0.0.0:5000->8443/udp\n', PUBLISHED_PORTS)).toEqual({});
    expect(parsePublishedPorts('', PUBLISHED_PORTS)).toEqual({});
  });

  it('uses the table it is given', () => {
    expect(parsePublishedPorts('web\t127.0.0.1:8081->80/tcp', [{ service: 'web', port: 80, variable: 'PORT_WEB' }])).toEqual({ PORT_WEB: '8081' });
  });
});
