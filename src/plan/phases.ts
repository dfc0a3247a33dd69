// The phases every env goes through, in order, and what a phase's timeout is keyed by.

export const PHASES = ['reset', 'compose', 'deploy', 'test'] as const;
export type PhaseName = (typeof PHASES)[number];
export type Timeouts = Record<PhaseName, number>;

/** The longest timeout a timer can hold (2^31-1 ms, about 24.8 days), in whole seconds. */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
