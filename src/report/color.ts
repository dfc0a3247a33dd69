// Colour on the console: whether to use it (--color, NO_COLOR, FORCE_COLOR, a TTY), and the
// `[env]` prefixes it applies to (only those; logs and reports never hold colour codes).

export type Color = 'auto' | 'always' | 'never';

/** `--color`: auto means a TTY, unless NO_COLOR is set; FORCE_COLOR forces it on. */
export function useColor(mode: Color, env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

const PALETTE = [36, 35, 33, 34, 32, 96, 95, 93, 94, 92];

/** Makes `[name] ` prefixes, coloured per name when asked. */
export class Prefixer {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly color: boolean,
    names: readonly string[] = [],
  ) {
    names.forEach((n) => this.get(n));
  }

  get(name: string): string {
    let prefix = this.cache.get(name);
    if (prefix === undefined) {
      const code = name === 'suite' || name === 'infra' ? 1 : PALETTE[this.cache.size % PALETTE.length]!;
      prefix = this.color ? `\x1b[${code}m[${name}]\x1b[0m ` : `[${name}] `;
      this.cache.set(name, prefix);
    }
    return prefix;
  }

  /** The name's prefix is all ASCII (env names are, by the matrix's rules). */
  ascii(name: string): boolean {
    return !/[^\x00-\x7f]/.test(this.get(name));
  }
}
