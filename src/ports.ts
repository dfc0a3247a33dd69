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

/** The env's automatic ports that are busy, its block moved up `shift` rounds; null past 65535. */
async function busyAt(env: EnvPlan, shift: number, free: Free): Promise<number[] | null> {
  const ports = env.autoPorts.map((v) => portValue(env.input.block, v, shift));
  if (ports.some((p) => p > 65535)) return null;
  const ok = await Promise.all(ports.map(free));
  return ports.filter((_, i) => !ok[i]);
}

const NO_BLOCK = 'no free port block below 65535 for its automatic ports';

/** Which of the env's planned automatic ports are busy now. */
export async function busyPorts(env: EnvPlan, free: Free): Promise<number[]> {
  const busy = await busyAt(env, 0, free);
  if (!busy) throw new Error(NO_BLOCK);
  return busy;
}

/** Rounds of blocks to move the env's automatic ports up until they are all free. */
export async function freeShift(env: EnvPlan, free: Free): Promise<number> {
  for (let shift = 0; shift < 100; shift++) {
    const busy = await busyAt(env, shift, free);
    if (!busy) break;
    if (busy.length === 0) return shift;
  }
  throw new Error(NO_BLOCK);
}
