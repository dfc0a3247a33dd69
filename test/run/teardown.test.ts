// What happens to an env's compose project when its phases are done.
import { expect, it } from 'vitest';
import { teardownOf } from '../../src/run/teardown';

it('takes cancelled envs down always, every env with --cleanup (failed ones stay with --keep-failed), nothing before compose', () => {
  const plain = { cleanup: false, keepFailed: false };
  const cleanup = { cleanup: true, keepFailed: false };
  const keep = { cleanup: true, keepFailed: true };
  expect(teardownOf(plain, 'passed', true)).toBe('leave');
  expect(teardownOf(plain, 'failed', true)).toBe('leave');
  expect(teardownOf(plain, 'cancelled', true)).toBe('down');
  expect(teardownOf(cleanup, 'passed', true)).toBe('down');
  expect(teardownOf(cleanup, 'failed', true)).toBe('down');
  expect(teardownOf(keep, 'failed', true)).toBe('keep-failed');
  expect(teardownOf(keep, 'passed', true)).toBe('down');
  expect(teardownOf(keep, 'cancelled', true)).toBe('down');
  for (const status of ['passed', 'failed', 'cancelled'] as const) expect(teardownOf(cleanup, status, false)).toBe('leave');
});
