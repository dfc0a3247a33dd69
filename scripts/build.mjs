// Bundles src/ into two CommonJS files that bin/esb-e2e.js loads: dist/esb-e2e.cjs (the
// CLI, planning, `plan` and `report merge`) and dist/esb-e2e-run.cjs (the runner, loaded
// only by `run`, so `plan` never reads or compiles it). Then seeds their V8 code caches,
// each with one representative run, so the CLI starts fast: dist/esb-e2e.cache by `plan`,
// dist/esb-e2e-run.cache by a run of a throwaway project.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { seedRunCache } from './seed-run-cache.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ESB_E2E_NO_MINIFY=1: readable function names in --cpu-prof profiles.
  minify: !process.env.ESB_E2E_NO_MINIFY,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

/** main.ts's `import('./run/command')` becomes a require of the runner's own bundle. */
const runnerApart = {
  name: 'runner-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/run\/command$/ }, () => ({ path: './esb-e2e-run.cjs', external: true }));
  },
};

for (const stale of ['esb-e2e.cache', 'esb-e2e-run.cache', 'esb-e2e.run.cache', 'esb-e2e.mjs']) rmSync(`dist/${stale}`, { force: true });
await Promise.all([
  // Dynamic imports become requires: the loader's `require` is what hands over the runner.
  build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/esb-e2e.cjs', plugins: [runnerApart], supported: { 'dynamic-import': false } }),
  build({ ...common, entryPoints: ['src/run/command.ts'], outfile: 'dist/esb-e2e-run.cjs' }),
]);

// One representative run compiles the functions a start-up needs; the loader keeps them.
const seed = existsSync('e2e-matrix.yaml') ? ['plan'] : ['--help'];
execFileSync(process.execPath, ['bin/esb-e2e.js', ...seed], { stdio: 'ignore', env: { ...process.env, ESB_E2E_SEED_CACHE: 'esb-e2e' } });
await seedRunCache('bin/esb-e2e.js');
