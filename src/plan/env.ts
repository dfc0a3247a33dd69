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
  const merged: Vars = {};
  const origin = new Map<string, Layer>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.vars)) {
      merged[key] = value;
      origin.set(key, layer);
    }
  }
  const done = new Map<string, string>();
  const resolving: string[] = [];

  const resolveKey = (key: string): string => {
    const cached = done.get(key);
    if (cached !== undefined) return cached;
    const layer = origin.get(key);
    const raw = merged[key]!;
    if (!layer?.interpolate || !raw.includes('${')) {
      done.set(key, raw);
      return raw;
    }
    if (resolving.includes(key)) {
      const cycle = [...resolving.slice(resolving.indexOf(key)), key].join(' -> ');
      throw new ConfigError(`${layer.where(key)}: reference cycle ${cycle}`);
    }
    resolving.push(key);
    const value = expand(raw, (name) => (name in merged ? resolveKey(name) : undefined), layer.where(key));
    resolving.pop();
    done.set(key, value);
    return value;
  };

  const out: Vars = {};
  for (const key of Object.keys(merged)) out[key] = resolveKey(key);
  return out;
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)((?:[^{}]|\{[^{}]*\})*))?\}/g;

/** Expand `${NAME}`, `${NAME:-default}` (unset or empty) and `${NAME-default}` (unset). */
export function expand(text: string, lookup: (name: string) => string | undefined, where: string): string {
  return text.replace(REF, (_match, name: string, op: string | undefined, fallback: string | undefined) => {
    const value = lookup(name);
    if (op === ':-' && (value === undefined || value === '')) return expand(fallback ?? '', lookup, where);
    if (op === '-' && value === undefined) return expand(fallback ?? '', lookup, where);
    if (value === undefined) throw new ConfigError(`${where}: \${${name}} has no value and no default`);
    return value;
  });
}

/** Keep only the keys that `keep` accepts. */
export function filterVars(vars: Readonly<Record<string, string | undefined>>, keep: (key: string) => boolean): Vars {
  const out: Vars = {};
  for (const [key, value] of Object.entries(vars)) if (value !== undefined && keep(key)) out[key] = value;
  return out;
}
