// Which host port a running ESB service published, as the variable that names it: the
// table of (compose service, container port) -> PORT_* variable, and the parsing of what
// the engine (or `docker ps`) says its containers published.
import type { PortMapping } from '../io/docker-api';

export interface PublishedPort {
  readonly service: string;
  readonly port: number;
  readonly variable: string;
}

/** Container port of a compose service -> the variable that holds its host port. */
export const PUBLISHED_PORTS: readonly PublishedPort[] = [
  { service: 'gateway', port: 8443, variable: 'PORT_GATEWAY_HTTPS' },
  { service: 'gateway', port: 8080, variable: 'PORT_GATEWAY_HTTP' },
  { service: 'victorialogs', port: 9428, variable: 'PORT_VICTORIALOGS' },
  { service: 'database', port: 8000, variable: 'PORT_DATABASE' },
  { service: 's3-storage', port: 9000, variable: 'PORT_S3' },
  { service: 's3-storage', port: 9001, variable: 'PORT_S3_MGMT' },
  { service: 'agent', port: 50051, variable: 'PORT_AGENT_GRPC' },
  { service: 'agent', port: 9091, variable: 'PORT_AGENT_METRICS' },
  { service: 'registry', port: 5010, variable: 'PORT_REGISTRY' },
  { service: 'runtime-node', port: 8443, variable: 'PORT_GATEWAY_HTTPS' },
  { service: 'runtime-node', port: 50051, variable: 'PORT_AGENT_GRPC' },
  { service: 'runtime-node', port: 9091, variable: 'PORT_AGENT_METRICS' },
];

/** Parse `docker ps --format '{{.Label "com.docker.compose.service"}}\t{{.Ports}}'` output. */
export function parsePublishedPorts(listing: string, table: readonly PublishedPort[]): Record<string, string> {
  return matchPublishedPorts(parsePortListing(listing), table);
}

/** `docker ps --format '{{.Label "com.docker.compose.service"}}\t{{.Ports}}'` as port mappings. */
export function parsePortListing(listing: string): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const line of listing.split('\n')) {
    const [service, ports] = line.split('\t');
    if (!service || !ports) continue;
    for (const mapping of ports.split(',')) {
      const m = /:(\d+)->(\d+)\/tcp/.exec(mapping.trim());
      if (m) mappings.push({ service: service.trim(), privatePort: Number(m[2]), publicPort: Number(m[1]) });
    }
  }
  return mappings;
}

/** The PORT_* variables of the table whose service published its container port. */
export function matchPublishedPorts(mappings: readonly PortMapping[], table: readonly PublishedPort[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of mappings) {
    const entry = table.find((t) => t.service === m.service && t.port === m.privatePort);
    if (entry && !(entry.variable in found)) found[entry.variable] = String(m.publicPort);
  }
  return found;
}
