// Each generation of ESB's layout by name: what planning and the phases look up.
import type { Layout } from './conventions';
import { CURRENT } from './current';
import type { GenerationName } from './generation';
import { LEGACY } from './legacy';

export const LAYOUTS: Readonly<Record<GenerationName, Layout>> = { legacy: LEGACY, current: CURRENT };
