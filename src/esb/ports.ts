// An env's port block and the shared registry's address: every variable of the block
// gets `base + (index + shift * envCount) * block + offset`, `index` being the env's place
// among all matrix envs by name, `shift` the rounds of blocks it moved up at run start.
import { ConfigError } from '../errors';
import type { Mode } from './layout';

export const DEFAULT_PORT_VARS = [
  'PORT_GATEWAY_HTTPS',
  'PORT_GATEWAY_HTTP',
  'PORT_AGENT_GRPC',
  'PORT_AGENT_METRICS',
  'PORT_VICTORIALOGS',
  'PORT_DATABASE',
  'PORT_S3',
  'PORT_S3_MGMT',
] as const;
export const DEFAULT_PORT_BASE = 33000;
export const DEFAULT_PORT_BLOCK = 20;
export const DEFAULT_REGISTRY_PORT = 5010;
/** The registry listens on this port inside its container, whatever the host port. */
export const REGISTRY_CONTAINER_PORT = 5010;

export interface PortBlock {
  readonly vars: readonly string[];
  readonly base: number;
  readonly block: number;
  /** The env's position among all matrix envs sorted by name. */
  readonly index: number;
  /** Number of matrix envs: a shift moves every block up by this many blocks. */
  readonly envCount: number;
}

export interface PortAssignment {
  readonly values: Record<string, number>;
  /** Variables assigned from the block (they move when a port is busy); the rest are fixed. */
  readonly auto: readonly string[];
}

export function portValue(block: PortBlock, variable: string, shift: number): number {
  const offset = block.vars.indexOf(variable);
  return block.base + (block.index + shift * block.envCount) * block.block + offset;
}

/** Ports of the block; a value set (non-zero) by the env file, env_vars or --set is kept. */
export function assignPorts(block: PortBlock, user: Readonly<Record<string, string>>, shift: number, where: string): PortAssignment {
  const values: Record<string, number> = {};
  const auto: string[] = [];
  for (const variable of block.vars) {
    const raw = user[variable]?.trim();
    if (raw !== undefined && raw !== '' && raw !== '0') {
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw new ConfigError(`${where}: ${variable}=${JSON.stringify(raw)} is not a port (1-65535, or 0 to let esb-e2e pick)`);
      }
      values[variable] = n;
    } else {
      const n = portValue(block, variable, shift);
      if (n > 65535) throw new ConfigError(`${where}: no free port block left below 65535 for ${variable}`);
      values[variable] = n;
      auto.push(variable);
    }
  }
  return { values, auto };
}

export function registryVars(mode: Mode, port: number): Record<string, string> {
  const host = `127.0.0.1:${port}`;
  const registry = mode === 'docker' ? host : `registry:${REGISTRY_CONTAINER_PORT}`;
  return {
    PORT_REGISTRY: String(port),
    ESB_REGISTRY: `${registry}/`,
    REGISTRY: `${registry}/`,
    CONTAINER_REGISTRY: registry,
    HOST_REGISTRY_ADDR: host,
    CONTAINER_REGISTRY_INSECURE: '1',
  };
}
