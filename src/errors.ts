// Errors that stop esb-e2e before anything starts. The CLI prints their message
// (one clear line or a short list) and exits 2, never with a stack trace.

// The runner is a bundle of its own (loaded only by `run`), with its own copy of these
// classes: `instanceof` goes by a mark every copy shares, not by the class object.
const CONFIG = Symbol.for('esb-e2e.ConfigError');
const USAGE = Symbol.for('esb-e2e.UsageError');

const marked = (value: unknown, mark: symbol) => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;

/** Bad configuration: matrix file, env files, or values that cannot be resolved. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  readonly [CONFIG] = true;

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return marked(value, this === UsageError ? USAGE : CONFIG);
  }
}

/** Bad command line: unknown or conflicting flags, malformed values. */
export class UsageError extends ConfigError {
  readonly [USAGE] = true;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Nearest known name to `input`, when it is close enough to be a likely typo. */
export function nearest(input: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const score = distance(input.toLowerCase(), candidate.toLowerCase());
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return bestScore <= limit ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length]!;
}

/** `unknown suite "smok" (did you mean "smoke"? known: smoke, standard)` */
export function unknownName(kind: string, input: string, known: readonly string[]): string {
  const guess = nearest(input, known);
  const hint = guess ? `did you mean "${guess}"? ` : '';
  return `unknown ${kind} "${input}" (${hint}known: ${known.length ? known.join(', ') : 'none'})`;
}
