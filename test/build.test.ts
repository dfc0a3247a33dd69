// What `npm run build` (scripts/build.mjs) leaves in dist/: the two bundles bin/esb-e2e.js
// loads (the CLI's, and the runner's, which only `run` reads) and the V8 code caches they
// start with. A bundle's size is start-up time (read, and its cache deserialized, on every
// start), so each keeps only the code it uses.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, makeProject } from './helpers/fake-project';

const bundle = readFileSync(join(REPO, 'dist', 'esb-e2e.cjs'), 'latin1');
const runner = readFileSync(join(REPO, 'dist', 'esb-e2e-run.cjs'), 'latin1');

it("keeps none of zod's locales but English", () => {
  // German's "expected" and French's "received": zod's `z` object would pull in all 40-odd.
  // (Booleans, so a failure does not print the whole bundle.)
  expect(bundle.includes('erwartet'), "zod's German locale is in the bundle").toBe(false);
  expect(bundle.includes('re\\xE7u'), "zod's French locale is in the bundle").toBe(false);
  expect(bundle.includes('Invalid input: expected'), "zod's English messages are in the bundle").toBe(true);
});

it('stays under 500 KB, each bundle', () => {
  expect(bundle.length).toBeLessThan(500 * 1024);
  expect(runner.length).toBeLessThan(500 * 1024);
});

it("keeps the runner and the XML parser out of the CLI's bundle, and zod (the matrix's schemas) out of the runner's", () => {
  expect(bundle.includes('XMLParser'), "the XML parser is in the CLI's bundle").toBe(false);
  expect(bundle.includes('esb-e2e-run.cjs'), 'the CLI does not load the runner by name').toBe(true);
  expect(bundle.includes('compose state and container logs'), "the runner's code is in the CLI's bundle").toBe(false);
  expect(runner.includes('compose state and container logs'), "the runner's code is not in its bundle").toBe(true);
  expect(runner.includes('Invalid input: expected'), "zod is in the runner's bundle").toBe(false);
});

it("keeps the spawning code (src/exec.ts and execa) out of the CLI's bundle: `plan` never starts a process", () => {
  // A dynamic import of any module but the runner's or the merge's is inlined by the build,
  // with everything that module imports (--with-proxy's engine question pulled execa in).
  expect(bundle.includes('forceKillAfterDelay'), "execa is in the CLI's bundle").toBe(false);
  expect(bundle.includes('or put it on PATH)'), "src/exec.ts is in the CLI's bundle").toBe(false);
  expect(runner.includes('forceKillAfterDelay'), "execa is not in the runner's bundle").toBe(true);
});

describe('code caches', () => {
  // A copy of the built CLI, so the checkout's own dist/ is never rewritten by a test.
  const copy = mkdtempSync(join(tmpdir(), 'esb-e2e-build-'));
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(REPO, part), join(copy, part), { recursive: true });
  const cache = (name: string) => join(copy, 'dist', name);
  const project = makeProject({ envs: ['alpha'] });
  afterAll(() => {
    project.cleanup();
    rmSync(copy, { recursive: true, force: true });
  });
  const exe = (...args: string[]) => spawnSync(process.execPath, [join(copy, 'bin', 'esb-e2e.js'), ...args], { cwd: project.root, env: project.env(), encoding: 'utf8' });

  it("ships one for each bundle, the runner's seeded by a run (its code compiled, not only its top level)", () => {
    // A cache made without running the runner would hold little more than the bundle's top level.
    expect(readFileSync(cache('esb-e2e-run.cache')).length).toBeGreaterThan(runner.length);
    expect(readFileSync(cache('esb-e2e.cache')).length).toBeGreaterThan(bundle.length);
  });

  it('starts each bundle with its cache as built, and rebuilds a missing one on exit', () => {
    const built = { cli: readFileSync(cache('esb-e2e.cache')), run: readFileSync(cache('esb-e2e-run.cache')) };
    expect(exe('plan').status).toBe(0);
    expect(exe('run', '--no-verbose').status).toBe(0);
    // A cache V8 rejected would have been written again on exit.
    expect(readFileSync(cache('esb-e2e.cache')).equals(built.cli), 'a command rewrote the CLI cache').toBe(true);
    expect(readFileSync(cache('esb-e2e-run.cache')).equals(built.run), 'run rewrote its cache').toBe(true);

    rmSync(cache('esb-e2e-run.cache'));
    expect(exe('plan').status).toBe(0);
    expect(existsSync(cache('esb-e2e-run.cache')), 'plan wrote the run cache').toBe(false);
    expect(exe('run', '--no-verbose').status).toBe(0);
    expect(existsSync(cache('esb-e2e-run.cache')), 'run did not rebuild its cache').toBe(true);
    expect(readFileSync(cache('esb-e2e.cache')).equals(built.cli)).toBe(true);
  });

  it('plans without the runner or the merge: `plan` neither reads nor needs their bundles', () => {
    rmSync(join(copy, 'dist', 'esb-e2e-run.cjs'));
    rmSync(join(copy, 'dist', 'esb-e2e-merge.cjs'));
    expect(exe('plan').status).toBe(0);
    const run = exe('run');
    expect(run.status).toBe(70);
    expect(run.stderr).toContain('esb-e2e-run.cjs');
    const merge = exe('report', 'merge', 'a.json', '--report', 'b.json');
    expect(merge.status).toBe(70);
    expect(merge.stderr).toContain('esb-e2e-merge.cjs');
  });
});
