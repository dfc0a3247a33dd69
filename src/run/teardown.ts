// Behaviour: what happens to an env's compose project when its phases are done. Cancelled
// envs are always taken down; with --cleanup every env is, but failed ones stay up under
// --keep-failed; without --cleanup they stay up for inspection (and `down` shows how).
import type { Status } from '../events';
import type { RunOptions } from './options';

export type Teardown = 'down' | 'keep-failed' | 'leave';

export function teardownOf(options: Pick<RunOptions, 'cleanup' | 'keepFailed'>, status: Status, composeStarted: boolean): Teardown {
  if (!composeStarted) return 'leave';
  if (status === 'cancelled') return 'down';
  if (!options.cleanup) return 'leave';
  return options.keepFailed && status === 'failed' ? 'keep-failed' : 'down';
}
