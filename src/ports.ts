// Busy-port probing at run start (never in `plan`): a port is free when we can listen on
// it on every interface. An env's port block moves up until all its ports are free.
import { createServer } from 'node:net';
import { portValue } from './esb';
import type { EnvPlan } from './planner';

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

type Free = (port: number) => Promise<boolean>;

/** The env's automatic ports, its block moved up `shift` rounds; null past 65535. */
function autoPorts(env: EnvPlan, shift: number): number[] | null {
  const ports = env.autoPorts.map((v) => portValue(env.input.block, v, shift));
  return ports.some((p) => p > 65535) ? null : ports;
}

const NO_BLOCK = 'no free port block below 65535 for its automatic ports';

/** Which of the env's planned automatic ports are busy now. */
export async function busyPorts(env: EnvPlan, free: Free): Promise<number[]> {
  const ports = autoPorts(env, 0);
  if (!ports) throw new Error(NO_BLOCK);
  const ok = await Promise.all(ports.map(free));
  return ports.filter((_, i) => !ok[i]);
}

/** Rounds of blocks to move the env's automatic ports up until they are all free. */
export async function freeShift(env: EnvPlan, free: Free): Promise<number> {
  for (let shift = 0; shift < 100; shift++) {
    const ports = autoPorts(env, shift);
    if (!ports) break;
    const ok = await Promise.all(ports.map(free));
    if (ok.every(Boolean)) return shift;
  }
  throw new Error(NO_BLOCK);
}
