// The jsonl reporter: one JSON object per event per line, with its time; an output event
// is one object per line the child printed.
import { expect, it } from 'vitest';
import { JsonlReporter } from '../../src/report/jsonl';
import { sink } from '../helpers/results';

it('prints each event as one line of JSON, and each output line as an object of its own', () => {
  const { out, text } = sink();
  const r = new JsonlReporter(out, () => Date.parse('2026-11-25T12:00:00Z'));
  r.onEvent({ type: 'env_start', env: 'a' });
  const printed = ['has "quotes"\tand tabs', '', 'caf\u00e9 \u2603 \\ back}slash', '{"json":"inside"}'];
  r.onEvent({ type: 'output', env: 'a', phase: 'test', lines: printed });
  const lines = text().trimEnd().split('\n');
  expect(lines).toHaveLength(1 + printed.length);
  expect(JSON.parse(lines[0]!)).toEqual({ time: '2026-11-25T12:00:00.000Z', type: 'env_start', env: 'a' });
  // Byte for byte what JSON.stringify gives the object of each line.
  expect(lines.slice(1)).toEqual(printed.map((line) => JSON.stringify({ time: '2026-11-25T12:00:00.000Z', type: 'output', env: 'a', phase: 'test', line })));
});
