// Pure env resolution. Lowest to highest precedence:
//   base snapshot < env file < defaults.env_vars < env env_vars < runner-managed < --set
// The base snapshot never supplies a runner-managed key. `${VAR}` / `${VAR:-default}` /
// `${VAR-default}` in the env file, env_vars and --set are interpolated last, against the
// fully resolved env. Nothing is ever executed: `$(...)` and backticks stay literal.
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from '../errors';

export type Vars = Record<string, string>;

/** Parse a `.env` file's text with dotenv (no expansion, no command substitution). */
export function parseEnvFile(text: string): Vars {
  return parseDotenv(text);
}

export interface Layer {
  readonly vars: Readonly<Vars>;
  /** Where a key of this layer comes from, for error messages: `e2e/.env: FOO`. */
  readonly where: (key: string) => string;
  /** Whether `${...}` in this layer's values is interpolated. */
  readonly interpolate: boolean;
}

/**
 * Merge layers (later wins) and interpolate the values of interpolating layers against
 * the merged result. Throws ConfigError on a reference cycle or an undefined reference.
 */
export function mergeLayers(layers: readonly Layer[]): Vars {
  // Maps, not objects: a reference like ${constructor} must find only the variables set.
  const merged = new Map<string, string>();
  const origin = new Map<string, Layer>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.vars)) {
      merged.set(key, value);
      origin.set(key, layer);
    }
  }
  const done = new Map<string, string>();
  const resolving: string[] = [];

  const resolveKey = (key: string): string => {
    const cached = done.get(key);
    if (cached !== undefined) return cached;
    const layer = origin.get(key);
    const raw = merged.get(key)!;
    if (!layer?.interpolate || !raw.includes('${')) {
      done.set(key, raw);
      return raw;
    }
    if (resolving.includes(key)) {
      const cycle = [...resolving.slice(resolving.indexOf(key)), key].join(' -> ');
      throw new ConfigError(`${layer.where(key)}: reference cycle ${cycle}`);
    }
    if (resolving.length >= MAX_DEPTH) throw new ConfigError(`${layer.where(key)}: references nest deeper than ${MAX_DEPTH} (${resolving[0]} -> ...)`);
    resolving.push(key);
    const value = expand(raw, (name) => (merged.has(name) ? resolveKey(name) : undefined), layer.where(key));
    resolving.pop();
    done.set(key, value);
    return value;
  };

  const out: Vars = {};
  for (const key of merged.keys()) out[key] = resolveKey(key);
  return out;
}

/** How deep references may chain (A -> B -> C ...). */
const MAX_DEPTH = 100;
/** The longest value interpolation may build: what one variable can hold on Linux (MAX_ARG_STRLEN). */
export const MAX_VALUE = 128 * 1024;

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)((?:[^{}]|\{[^{}]*\})*))?\}/g;

/**
 * Expand `${NAME}`, `${NAME:-default}` (unset or empty) and `${NAME-default}` (unset).
 * A value that would grow past MAX_VALUE (references doubling each other, say) is an error.
 */
export function expand(text: string, lookup: (name: string) => string | undefined, where: string): string {
  const out = text.replace(REF, (_match, name: string, op: string | undefined, fallback: string | undefined) => {
    const found = lookup(name);
    // Only a variable's own string counts (not `constructor` of an object used as a lookup table).
    const value = typeof found === 'string' ? found : undefined;
    if (op === ':-' && (value === undefined || value === '')) return expand(fallback ?? '', lookup, where);
    if (op === '-' && value === undefined) return expand(fallback ?? '', lookup, where);
    if (value === undefined) throw new ConfigError(`${where}: \${${name}} has no value and no default`);
    return value;
  });
  if (out.length > MAX_VALUE) throw new ConfigError(`${where}: its value grows past ${MAX_VALUE / 1024} KiB once its references are expanded`);
  return out;
}

/** A variable's value read from the vars, or undefined: own keys only. */
export function lookupIn(vars: Readonly<Record<string, string | undefined>>): (name: string) => string | undefined {
  return (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
}

/** Keep only the keys that `keep` accepts. */
export function filterVars(vars: Readonly<Record<string, string | undefined>>, keep: (key: string) => boolean): Vars {
  const out: Vars = {};
  for (const [key, value] of Object.entries(vars)) if (value !== undefined && keep(key)) out[key] = value;
  return out;
}
