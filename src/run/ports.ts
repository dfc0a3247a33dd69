// Busy ports at run start (never in `plan`): an env's planned automatic ports are checked
// while its reset runs `compose down`, not at the moment every env moves on to compose at
// once; one busy then (perhaps held by the env's own containers of an earlier run) is
// checked again after down, and when still busy the env's block moves up by whole rounds
// of blocks until every port is free: a new binding, before compose up.
import { portValue } from '../esb/ports';
import { bind, type Binding } from '../plan/bind';
import type { EnvPlan, Plan } from '../plan/types';

type Free = (port: number) => Promise<boolean>;

const NO_BLOCK = 'no free port block below 65535 for its automatic ports';

/** The env's automatic ports that are busy, its block moved up `shift` rounds; null past 65535. */
async function busyAt(env: EnvPlan, shift: number, free: Free): Promise<number[] | null> {
  const ports = env.autoPorts.map((v) => portValue(env.block, v, shift));
  if (ports.some((p) => p > 65535)) return null;
  const ok = await Promise.all(ports.map(free));
  return ports.filter((_, i) => !ok[i]);
}

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

/** The check during reset, and the binding before compose up that follows from it. */
export class PortBinder {
  private duringReset: Promise<number[] | undefined> | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly env: EnvPlan,
    private readonly free: Free,
  ) {}

  /** Starts the check, after this turn: the commands reset starts now (every env's first, at the suite's start) go first. */
  checkDuringReset(trace: (line: string) => void): void {
    this.duringReset = new Promise((r) => setImmediate(r))
      .then(() => busyPorts(this.env, this.free))
      .then((busy) => {
        if (busy.length) trace(`port ${busy.join(', ')} in use during reset: checked again after compose down`);
        return busy;
      })
      // Checked again before compose, where a failure fails the phase.
      .catch(() => undefined);
  }

  /** The binding compose starts with: `from`, or with the block moved up when a planned port is still busy. */
  async bind(from: Binding, note: (line: string) => void): Promise<Binding> {
    const busy = await this.duringReset;
    const moved = busy?.length === 0 ? 0 : await freeShift(this.env, this.free);
    if (moved === 0) return from;
    note(`a planned port was busy: ports moved up ${moved * this.env.block.envCount} blocks`);
    return bind(this.plan, this.env, from, { shift: moved });
  }
}
