// The jsonl reporter: one JSON object per event per line, with its time.
import { expect, it } from 'vitest';
import { JsonlReporter } from '../../src/reporters/jsonl';
import { sink } from '../helpers/results';

it('prints each event as one line of JSON', () => {
  const { out, text } = sink();
  const r = new JsonlReporter(out, () => Date.parse('2026-11-25T12:00:00Z'));
  r.onEvent({ type: 'env_start', env: 'a' });
  r.onEvent({ type: 'output', env: 'a', phase: 'test', line: 'has "quotes"\tand tabs' });
  const lines = text().trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(JSON.parse(lines[0]!)).toEqual({ time: '2026-11-25T12:00:00.000Z', type: 'env_start', env: 'a' });
  expect(JSON.parse(lines[1]!).line).toBe('has "quotes"\tand tabs');
});
