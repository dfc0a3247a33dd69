// Planning step: which envs run, and which of their suites (--env, --suite, --shard,
// --test-target). Unknown names are usage errors listing the known ones.
import { UsageError, unknownName } from '../errors';
import type { LoadedMatrix } from './matrix';
import type { PlanOptions } from './types';

export interface Selected {
  readonly name: string;
  /** The env's index in the matrix file. */
  readonly i: number;
  readonly suites: readonly string[];
}

export function selectEnvs(loaded: LoadedMatrix, options: PlanOptions, notices: string[]): Selected[] {
  const { matrix, names } = loaded;
  let selected: Selected[] = names.map((name, i) => ({ name, i, suites: matrix.matrix[i]!.suites ?? [] }));
  if (options.envs?.length) {
    for (const wanted of options.envs) {
      if (!names.includes(wanted)) throw new UsageError(`--env: ${unknownName('env', wanted, names)}`);
    }
    selected = selected.filter((e) => options.envs!.includes(e.name));
  }
  if (options.suites?.length) selected = bySuite(selected, options.suites, Object.keys(matrix.suites));
  if (options.shard) selected = byShard(selected, options.shard, notices);
  if (options.testTarget !== undefined && selected.length !== 1) {
    throw new UsageError(
      `--test-target needs exactly one env (got ${selected.length}: ${selected.map((e) => e.name).join(', ') || 'none'}); add --env <name>`,
    );
  }
  return selected;
}

function bySuite(selected: Selected[], wanted: readonly string[], known: readonly string[]): Selected[] {
  for (const suite of wanted) {
    if (!known.includes(suite)) throw new UsageError(`--suite: ${unknownName('suite', suite, known)}`);
  }
  const kept = selected.map((e) => ({ ...e, suites: e.suites.filter((s) => wanted.includes(s)) })).filter((e) => e.suites.length > 0);
  if (kept.length === 0) {
    throw new UsageError(`--suite ${wanted.join(',')}: no selected env runs ${wanted.length > 1 ? 'these suites' : 'this suite'}`);
  }
  return kept;
}

/** Shard i of n: the envs sorted by name, dealt round-robin. */
function byShard(selected: Selected[], shard: { index: number; count: number }, notices: string[]): Selected[] {
  const { index, count } = shard;
  const sorted = [...selected].sort((a, b) => (a.name < b.name ? -1 : 1));
  const mine = new Set(sorted.filter((_, k) => k % count === index - 1).map((e) => e.name));
  const kept = selected.filter((e) => mine.has(e.name));
  if (kept.length === 0) notices.push(`shard ${index}/${count} has no env: nothing to run`);
  return kept;
}
