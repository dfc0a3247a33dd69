// busyPorts / freeShift: which of an env's planned ports are taken, and how far its block
// moves up to find all of them free.
import { expect, it } from 'vitest';
import type { EnvPlan } from '../../src/plan/types';
import { busyPorts, freeShift } from '../../src/run/ports';

/** An env whose automatic ports A and B sit in block `index` of blocks of 10 from `base`, among 3 envs. */
const envAt = (base: number, index = 1) =>
  ({ autoPorts: ['A', 'B'], block: { vars: ['A', 'B', 'FIXED'], base, block: 10, index, envCount: 3 } }) as unknown as EnvPlan;
const takenAre = (...taken: number[]) => async (port: number) => !taken.includes(port);

it('lists the planned ports that are busy, and none when all are free', async () => {
  // Block 1 of 10-port blocks from 40000: A = 40010, B = 40011.
  expect(await busyPorts(envAt(40000), takenAre(40011, 40012))).toEqual([40011]);
  expect(await busyPorts(envAt(40000), takenAre(40000, 40030))).toEqual([]);
});

it('moves the block up by whole rounds of envs until all its ports are free', async () => {
  expect(await freeShift(envAt(40000), takenAre())).toBe(0);
  // Round 1 puts A at 40040 (3 envs x 10 ports up); round 2 at 40070.
  expect(await freeShift(envAt(40000), takenAre(40010))).toBe(1);
  expect(await freeShift(envAt(40000), takenAre(40011, 40041))).toBe(2);
});

it('gives up past port 65535', async () => {
  await expect(freeShift(envAt(65500), takenAre(65510))).rejects.toThrow('no free port block below 65535');
  await expect(busyPorts(envAt(65530), takenAre())).rejects.toThrow('no free port block below 65535');
});
