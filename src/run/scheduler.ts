// Behaviour: N envs under p-limit. At most `jobs` run at once; results come back in the
// plan's order, whatever order they finished in; with fail-fast, the first failed result
// cancels the rest (running envs are killed, queued ones end at once as cancelled).
import pLimit from 'p-limit';

export interface ScheduleOptions<R> {
  readonly jobs: number;
  /** True when this result should stop the others. */
  readonly stopsOthers: (result: R) => boolean;
  readonly stop: () => void;
}

export async function schedule<T, R>(items: readonly T[], runOne: (item: T) => Promise<R>, options: ScheduleOptions<R>): Promise<R[]> {
  const limit = pLimit(Math.max(1, options.jobs));
  return Promise.all(
    items.map((item) =>
      limit(async () => {
        const result = await runOne(item);
        if (options.stopsOthers(result)) options.stop();
        return result;
      }),
    ),
  );
}
