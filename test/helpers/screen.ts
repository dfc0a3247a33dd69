// A small terminal for tests of the live view: it plays what was written (text, CR, LF,
// cursor up, erase below, colour codes) onto a grid of `columns`, wrapping long lines the
// way a terminal does (and re-wrapping them when resized, as most do), so a test can
// assert what a user would see.

export class Screen {
  private lines: string[] = [''];
  /** Rows that continue the row above (wrapped there, not begun by a line feed). */
  private continued: boolean[] = [false];
  private row = 0;
  private col = 0;

  constructor(public columns: number) {}

  play(data: string): void {
    // eslint-disable-next-line no-control-regex
    const tokens = data.match(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]/gu) ?? [];
    for (const t of tokens) this.token(t);
  }

  private token(t: string): void {
    if (t === '\r') this.col = 0;
    else if (t === '\n') this.down(true);
    else if (t.startsWith('\x1b[')) this.control(t);
    else this.print(t);
  }

  private control(t: string): void {
    const n = Number(t.slice(2, -1) || '1');
    const op = t.at(-1);
    if (op === 'A') this.row = Math.max(0, this.row - n);
    else if (op === 'J') {
      this.lines[this.row] = this.lines[this.row]!.slice(0, this.col);
      this.lines.length = this.continued.length = this.row + 1;
    } else if (op !== 'm') throw new Error(`the screen does not know ${JSON.stringify(t)}`);
  }

  private print(ch: string): void {
    if (this.col >= this.columns) this.down(true, true);
    const line = this.lines[this.row]!.padEnd(this.col);
    this.lines[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
    this.col++;
  }

  /** A new line (a terminal's output turns LF into CR LF). */
  private down(carriage: boolean, wrap = false): void {
    this.row++;
    if (carriage) this.col = 0;
    if (this.row >= this.lines.length) {
      this.lines.push('');
      this.continued.push(wrap);
    }
  }

  /** A new width: the lines are wrapped again; the cursor (at the start of a line) stays on its line. */
  resize(columns: number): void {
    const logical: string[] = [];
    let cursorLine = 0;
    this.lines.forEach((text, i) => {
      if (this.continued[i]) logical[logical.length - 1] += text.padEnd(this.columns);
      else logical.push(text);
      if (i === this.row) cursorLine = logical.length - 1;
    });
    this.columns = columns;
    this.lines = [];
    this.continued = [];
    logical.forEach((text, n) => {
      if (n === cursorLine) this.row = this.lines.length;
      const trimmed = text.trimEnd();
      for (let at = 0; at === 0 || at < trimmed.length; at += columns) {
        this.lines.push(trimmed.slice(at, at + columns));
        this.continued.push(at > 0);
      }
    });
    this.col = 0;
  }

  /** What is on the screen, top to bottom, trailing blanks dropped. */
  text(): string[] {
    const lines = this.lines.map((l) => l.trimEnd());
    while (lines.length && lines.at(-1) === '') lines.pop();
    return lines;
  }
}
