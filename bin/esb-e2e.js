#!/usr/bin/env node
// esb-e2e executable. The code is in bundles built from src/ by `npm run build`:
// dist/esb-e2e.cjs (the CLI and planning), and dist/esb-e2e-run.cjs (the runner) and
// dist/esb-e2e-merge.cjs (`report merge`), each loaded only when the CLI asks for it.
// Each is compiled with its V8 code cache (dist/<name>.cache)
// so start-up skips most parsing and compiling; a missing or stale cache is rebuilt on
// exit when the folder is writable.
'use strict';
// `--version` alone needs nothing from the bundles: answered before loading them.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(require('../package.json').version + '\n');
  return;
}
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
// The build's seeding runs name the caches to write whatever their state.
const seeding = (process.env.ESB_E2E_SEED_CACHE || '').split(',');

/** Runs dist/<name>.cjs through its code cache and returns its exports. */
function load(name, requireFn) {
  const file = join(dist, `${name}.cjs`);
  const cacheFile = join(dist, `${name}.cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected || seeding.includes(name)) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only install just starts a little slower.
      }
    });
  }
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, requireFn, bundleModule, file, dist);
  return bundleModule.exports;
}

// The CLI's bundle asks for the others by their file names.
const bundled = /^\.\/(esb-e2e-[a-z]+)\.cjs$/;
const requireForCli = Object.assign((id) => (bundled.test(id) ? load(bundled.exec(id)[1], require) : require(id)), require);
load('esb-e2e', requireForCli);
