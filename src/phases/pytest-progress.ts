// pytest's -v output as progress: `collected N items`, then a result word per test, then
// the closing summary (the authority on counts). Reads only the lines that can matter.
import type { TestCounts } from '../events';

const COLLECTED = /\bcollected (\d+) items?(?: \/ \d+ deselected \/ (\d+) selected)?/;
const RESULT = /::\S.*?\s(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/;
const SUMMARY = /^=+ (.*\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?).*) in [\d.]+s.* =+$/;

/** Follows pytest's -v output: progress (current/total) and the test counts. */
export class PytestProgress {
  readonly counts: TestCounts = { collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 };
  current = 0;
  private collectedSeen = false;

  /**
   * Can any of these lines (`text`: them joined by LF) be one `push` looks at? Most output
   * is none of them: a result line has `::`, the summary `=`, and the collected line, which
   * pytest prints once, starts with "collect" (`collecting ... collected 4 items` with -v).
   * A look at each line's first letter is far cheaper than searching the text for a word
   * whose letters are everywhere.
   */
  mayMatter(text: string, lines: readonly string[]): boolean {
    if (text.includes('::') || text.includes('=')) return true;
    if (this.collectedSeen) return false;
    for (const line of lines) if (line.charCodeAt(0) === 99 /* c */ && line.startsWith('collect')) return true;
    return false;
  }

  /** Returns true when the line moved the progress. */
  push(line: string): boolean {
    // Cheap checks first: most lines are none of these.
    if (!this.mayMatter(line, [line])) return false;
    const colons = line.includes('::');
    const collected = this.collectedSeen ? null : COLLECTED.exec(line);
    if (collected) {
      this.counts.collected = Number(collected[2] ?? collected[1]);
      this.collectedSeen = true;
      return true;
    }
    const result = colons ? RESULT.exec(line) : null;
    if (result) {
      this.count(result[1]!);
      this.current++;
      return true;
    }
    const summary = SUMMARY.exec(line.trim());
    if (summary) this.fromSummary(summary[1]!);
    return false;
  }

  private count(word: string): void {
    if (word === 'PASSED' || word === 'XPASS') this.counts.passed++;
    else if (word === 'FAILED') this.counts.failed++;
    else if (word === 'ERROR') this.counts.errors++;
    else this.counts.skipped++;
  }

  /** The closing summary is the authority on counts. */
  private fromSummary(text: string): void {
    const n = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    this.counts.passed = n(/(\d+) passed/) + n(/(\d+) xpassed/);
    this.counts.failed = n(/(\d+) failed/);
    this.counts.skipped = n(/(\d+) skipped/) + n(/(\d+) xfailed/);
    this.counts.errors = n(/(\d+) errors?/);
  }
}
