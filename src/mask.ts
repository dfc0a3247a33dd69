// Secret masking for the console, logs and reports. A value is secret when its key
// names a secret (PASS, SECRET, TOKEN, KEY, CREDENTIAL); values under 6 characters are
// left alone (masking "esb" would garble every project name). Credentials in URLs
// (`scheme://user:pass@host`) are masked too.
export const SECRET_KEY = /PASS|SECRET|TOKEN|KEY|CREDENTIAL/i;
export const MASK = '***';
const MIN_SECRET_LENGTH = 6;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function secretValues(vars: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [key, value] of Object.entries(vars)) {
    if (value && value.length >= MIN_SECRET_LENGTH && isSecretKey(key)) values.add(value);
  }
  return [...values];
}

/** Replaces known secret values and URL credentials in text. */
export class Masker {
  private readonly pattern: RegExp | undefined;

  constructor(values: Iterable<string>) {
    const list = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    this.pattern = list.length ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  static forVars(...sets: Readonly<Record<string, string | undefined>>[]): Masker {
    return new Masker(sets.flatMap((s) => secretValues(s)));
  }

  mask(text: string): string {
    let out = this.pattern ? text.replace(this.pattern, MASK) : text;
    if (out.includes('@')) out = out.replace(URL_CREDENTIALS, `$1${MASK}@`);
    return out;
  }

  /**
   * A chunk's lines (`raw`: them joined by LF) masked in one pass: their log text (each
   * line LF-terminated) and the lines. Masking keeps ASCII text ASCII: it puts in *** only.
   */
  maskChunk(lines: readonly string[], raw: string): { text: string; lines: readonly string[] } {
    const masked = this.mask(raw);
    // When nothing was masked, the lines are the ones that came in.
    return { text: masked + '\n', lines: masked === raw ? lines : masked.split('\n') };
  }
}

export function maskVars(vars: Readonly<Record<string, string>>): Record<string, string> {
  const masker = Masker.forVars(vars);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) out[key] = masker.mask(value);
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
