// Behaviour: when an env fails after its compose phase began, the state and logs of its
// containers go to its .compose.log before any teardown, within a bound of their own (a
// second Ctrl-C ends them at once). They are logged, but the failure's tail is taken before.
import type { EnvPlan } from '../plan/types';
import { captureCompose } from '../phases/capture';
import type { PhaseContext } from '../phases/context';

const CAPTURE_TIMEOUT_MS = 120_000;

/** The compose log written, or null. `open` gives a compose-phase context on a signal. */
export async function captureOnFailure(env: EnvPlan, hard: AbortSignal, open: (signal: AbortSignal) => PhaseContext): Promise<string | null> {
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(), CAPTURE_TIMEOUT_MS);
  const onHard = () => limit.abort();
  hard.addEventListener('abort', onHard, { once: true });
  try {
    const ctx = open(limit.signal);
    if (!(await captureCompose(ctx, env.composeLog))) return null;
    ctx.trace(`compose state and container logs: ${env.composeLog}`);
    return env.composeLog;
  } finally {
    clearTimeout(timer);
    hard.removeEventListener('abort', onHard);
  }
}
