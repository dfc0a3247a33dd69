// The phases every env goes through, in order, and what a phase's timeout is keyed by.

export const PHASES = ['reset', 'compose', 'deploy', 'test'] as const;
export type PhaseName = (typeof PHASES)[number];
export type Timeouts = Record<PhaseName, number>;
