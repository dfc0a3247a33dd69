// Colour: when to use it, and the [env] prefixes it applies to.
import { expect, it } from 'vitest';
import { Prefixer, useColor } from '../../src/report/color';

it('decides colour from --color, NO_COLOR, FORCE_COLOR and the TTY', () => {
  expect(useColor('always', { NO_COLOR: '1' }, false)).toBe(true);
  expect(useColor('never', { FORCE_COLOR: '1' }, true)).toBe(false);
  expect(useColor('auto', {}, true)).toBe(true);
  expect(useColor('auto', {}, false)).toBe(false);
  expect(useColor('auto', { NO_COLOR: '1' }, true)).toBe(false);
  expect(useColor('auto', { FORCE_COLOR: '1' }, false)).toBe(true);
  expect(useColor('auto', { FORCE_COLOR: '0' }, true)).toBe(false);
});

it('gives each name its own stable prefix', () => {
  const p = new Prefixer(true, ['a', 'b']);
  expect(p.get('a')).not.toBe(p.get('b'));
  expect(p.get('a')).toBe(p.get('a'));
  expect(new Prefixer(false).get('a')).toBe('[a] ');
});

it("tells that a name's prefix is all ASCII, so the console may copy its lines as latin1", () => {
  expect(new Prefixer(false).ascii('env-1')).toBe(true);
  expect(new Prefixer(true).ascii('env-1')).toBe(true);
});
