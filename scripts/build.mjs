// Bundles src/ into one CommonJS file (dist/esb-e2e.cjs) that bin/esb-e2e.js loads, then
// seeds its V8 code caches, each with one representative run, so the CLI starts fast:
// dist/esb-e2e.cache for `plan` and every other command, dist/esb-e2e.run.cache for `run`
// (a start deserializes all of its cache: `plan` does not pay for the runner's functions).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { seedRunCache } from './seed-run-cache.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/esb-e2e.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ESB_E2E_NO_MINIFY=1: readable function names in --cpu-prof profiles.
  minify: !process.env.ESB_E2E_NO_MINIFY,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

rmSync('dist/esb-e2e.cache', { force: true });
rmSync('dist/esb-e2e.run.cache', { force: true });
rmSync('dist/esb-e2e.mjs', { force: true });
// One representative run compiles the functions a start-up needs; the loader keeps them.
const seed = existsSync('e2e-matrix.yaml') ? ['plan'] : ['--help'];
execFileSync(process.execPath, ['bin/esb-e2e.js', ...seed], { stdio: 'ignore', env: { ...process.env, ESB_E2E_SEED_CACHE: '1' } });
await seedRunCache('bin/esb-e2e.js');
