// Child output as lines: LF and CR LF, one streaming UTF-8 decoder per stream, a chunk's
// lines handed over together with their text and whether they are ASCII, long lines cut.
import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE } from '../../src/io/lines';

describe('LineSplitter', () => {
  it('splits LF and CRLF, keeps a partial line until the end, then flushes it', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    s.push(Buffer.from('one\r\ntw'));
    s.push(Buffer.from('o\nthree'));
    expect(out).toEqual(['one', 'two']);
    s.end();
    expect(out).toEqual(['one', 'two', 'three']);
  });

  it('decodes UTF-8 across chunk boundaries and turns invalid bytes into U+FFFD', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    const euro = Buffer.from('€\n');
    s.push(euro.subarray(0, 1));
    s.push(euro.subarray(1));
    s.push(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]));
    s.end();
    expect(out).toEqual(['€', 'a\ufffd\ufffdb']);
  });

  it("hands over each chunk's complete lines together, empty ones and inner CRs kept", () => {
    const calls: string[][] = [];
    const s = new LineSplitter((ls) => calls.push([...ls]));
    s.push(Buffer.from('a\n\nb\rc\r\nd'));
    s.push(Buffer.from('e\n'));
    s.push(Buffer.from('no newline yet'));
    expect(calls).toEqual([['a', '', 'b\rc'], ['de']]);
    s.end();
    expect(calls.at(-1)).toEqual(['no newline yet']);
  });

  it('cuts a long line inside a chunk of short ones, in order', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    s.push(Buffer.from(`short\n${'y'.repeat(MAX_LINE + 3)}\nlast\n`));
    expect(out.map((l) => (l.length > 10 ? l.length : l))).toEqual(['short', MAX_LINE, 'yyy', 'last']);
  });

  it('hands over with the lines their text joined by LF, whatever was changed on the way (CR LF, cut lines)', () => {
    const calls: [string[], string][] = [];
    const s = new LineSplitter((ls, text) => calls.push([[...ls], text]));
    s.push(Buffer.from('plain\nlines\n'));
    s.push(Buffer.from('with\r\ncr lf\r\n'));
    s.push(Buffer.from(`short\n${'z'.repeat(MAX_LINE + 2)}\n`));
    s.push(Buffer.from('w'.repeat(MAX_LINE + 5)));
    s.push(Buffer.from('end'));
    s.end();
    expect(calls.length).toBe(5);
    for (const [lines, text] of calls) expect(text).toBe(lines.join('\n'));
    expect(calls.slice(0, 2).map(([, text]) => text)).toEqual(['plain\nlines', 'with\ncr lf']);
  });

  it('tells whether a block is all ASCII, from the bytes, across chunks and the partial line', () => {
    const calls: [string, boolean][] = [];
    const s = new LineSplitter((_, text, ascii) => calls.push([text, ascii]));
    s.push(Buffer.from('plain\nascii\n'));
    s.push(Buffer.from('caf\u00e9 \u2603\n'));
    // A non-ASCII partial line taints the block it ends in, not the next one.
    s.push(Buffer.from('start \u00e9'));
    s.push(Buffer.from(' end\nnext\n'));
    s.push(Buffer.from('again\n'));
    // Invalid bytes become U+FFFD: not ASCII.
    s.push(Buffer.from([0x61, 0xff, 0x0a]));
    // A string is not looked at.
    s.push('given as a string\n');
    s.push(Buffer.from('tail'));
    s.end();
    expect(calls).toEqual([
      ['plain\nascii', true],
      ['caf\u00e9 \u2603', false],
      ['start \u00e9 end\nnext', false],
      ['again', true],
      ['a\ufffd', false],
      ['given as a string', false],
      ['tail', true],
    ]);
  });

  it('cuts a line longer than MAX_LINE into pieces, so memory stays flat', () => {
    const out: string[] = [];
    const s = new LineSplitter((ls) => out.push(...ls));
    s.push(Buffer.from('x'.repeat(MAX_LINE * 2 + 10)));
    expect(out.length).toBe(2);
    s.end();
    expect(out.map((l) => l.length)).toEqual([MAX_LINE, MAX_LINE, 10]);
  });
});

describe('with a guard (masking before a line is cut)', () => {
  const SECRET = 'super-secret-value';
  const guard = { mask: (t: string) => t.replaceAll(SECRET, '***'), span: SECRET.length };

  it('never splits a secret between two pieces of a line longer than MAX_LINE, however it arrives', () => {
    for (const at of [MAX_LINE - 5, MAX_LINE - 1, MAX_LINE, MAX_LINE + 3, 2 * MAX_LINE - 7]) {
      const line = 'a'.repeat(at) + SECRET + 'b'.repeat(100);
      for (const chunk of [line.length + 1, 4096, 65536, 1000]) {
        const out: string[] = [];
        const s = new LineSplitter((ls) => out.push(...ls), guard);
        const bytes = Buffer.from(line + '\n');
        for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
        s.end();
        const all = out.join('');
        expect(all, `cut at ${at}, chunks of ${chunk}`).not.toContain(SECRET);
        for (const piece of out) expect(piece.length).toBeLessThanOrEqual(MAX_LINE + SECRET.length + chunk);
        expect(all).toBe('a'.repeat(at) + '***' + 'b'.repeat(100));
      }
    }
  });
});
