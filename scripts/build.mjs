// Bundles src/ into CommonJS files that bin/esb-e2e.js loads: dist/esb-e2e.cjs (the CLI
// and planning), dist/esb-e2e-run.cjs (the runner, loaded only by `run`) and
// dist/esb-e2e-merge.cjs (`report merge` and its XML parser), so `plan` reads and
// compiles neither. Then seeds the V8 code caches of the first two, each with one
// representative run, so the CLI starts fast: dist/esb-e2e.cache by `plan`,
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

/**
 * commander loads node:child_process (and with it net, dgram and more of Node) when it is
 * loaded, for subcommands that are programs of their own, which esb-e2e has none of: in
 * the CLI's bundle it gets the module on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('node_modules/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

/** The CLI's imports of the runner and of the merge become requires of their own bundles. */
const apart = {
  name: 'apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/run\/command$/ }, () => ({ path: './esb-e2e-run.cjs', external: true }));
    b.onResolve({ filter: /^\.\.\/report\/merge$/ }, () => ({ path: './esb-e2e-merge.cjs', external: true }));
  },
};

for (const stale of ['esb-e2e.cache', 'esb-e2e-run.cache', 'esb-e2e-merge.cache', 'esb-e2e.run.cache', 'esb-e2e.mjs']) rmSync(`dist/${stale}`, { force: true });
await Promise.all([
  // Dynamic imports become requires: the loader's `require` is what hands over the runner.
  build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/esb-e2e.cjs', plugins: [apart, lazyChildProcess], supported: { 'dynamic-import': false } }),
  build({ ...common, entryPoints: ['src/run/command.ts'], outfile: 'dist/esb-e2e-run.cjs' }),
  build({ ...common, entryPoints: ['src/report/merge.ts'], outfile: 'dist/esb-e2e-merge.cjs' }),
]);

// One representative run compiles the functions a start-up needs; the loader keeps them.
const seed = existsSync('e2e-matrix.yaml') ? ['plan'] : ['--help'];
execFileSync(process.execPath, ['bin/esb-e2e.js', ...seed], { stdio: 'ignore', env: { ...process.env, ESB_E2E_SEED_CACHE: 'esb-e2e' } });
await seedRunCache('bin/esb-e2e.js');
