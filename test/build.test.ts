// What `npm run build` (scripts/build.mjs) leaves in dist/: the bundle bin/esb-e2e.js
// loads. Its size is start-up time (read, hashed, its code cache deserialized on every
// start), so it keeps only the code esb-e2e uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './helpers/fake-project';

const bundle = readFileSync(join(REPO, 'dist', 'esb-e2e.cjs'), 'latin1');

it("keeps none of zod's locales but English", () => {
  // German's "expected" and French's "received": zod's `z` object would pull in all 40-odd.
  // (Booleans, so a failure does not print the whole bundle.)
  expect(bundle.includes('erwartet'), 'zod\'s German locale is in the bundle').toBe(false);
  expect(bundle.includes('re\\xE7u'), 'zod\'s French locale is in the bundle').toBe(false);
  expect(bundle.includes('Invalid input: expected'), 'zod\'s English messages are in the bundle').toBe(true);
});

it('stays under 500 KB', () => {
  expect(bundle.length).toBeLessThan(500 * 1024);
});
