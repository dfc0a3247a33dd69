// The one masker: every byte that leaves esb-e2e (console, logs, report files, the
// runner's own messages) goes through one of these. A value is secret when its key names
// a secret (PASS, SECRET, TOKEN, KEY, CREDENTIAL); values under 6 characters are left
// alone (masking "esb" would garble every project name). Credentials in URLs
// (`scheme://user:pass@host`) are masked too. Text with escape sequences in it (colours)
// loses them first, so a secret with a colour code inside is still found.
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

/** ANSI escape sequences (colours, cursor moves). */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

/** How far back a cut in a long line must look for a URL's credentials that began before it. */
const URL_SPAN = 256;

/** Replaces known secret values and URL credentials in text. */
export class Masker {
  private readonly pattern: RegExp | undefined;
  /** Longer than any match: text this long held back from a cut keeps every secret whole. */
  readonly span: number;

  constructor(values: Iterable<string>) {
    const list = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    this.pattern = list.length ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
    this.span = Math.max(URL_SPAN, list[0]?.length ?? 0);
  }

  static forVars(...sets: Readonly<Record<string, string | undefined>>[]): Masker {
    return new Masker(sets.flatMap((s) => secretValues(s)));
  }

  mask(text: string): string {
    let out = stripAnsi(text);
    if (this.pattern) out = out.replace(this.pattern, MASK);
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
