#!/usr/bin/env node
// esb-e2e executable. Everything is in one bundle (dist/esb-e2e.cjs, built from src/ by
// `npm run build`); it is compiled with V8's code cache (dist/esb-e2e.cache, or
// dist/esb-e2e.run.cache for `run`) so start-up skips most parsing and compiling. A missing
// or stale cache is rebuilt on exit when the folder is writable.
'use strict';
// `--version` alone needs nothing from the bundle: answered before loading it.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(require('../package.json').version + '\n');
  return;
}
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const bundle = join(dist, 'esb-e2e.cjs');
// `run` has a cache of its own (seeded by a run): the runner's functions are compiled
// already, and `plan` does not deserialize them.
const cacheFile = join(dist, process.argv[2] === 'run' ? 'esb-e2e.run.cache' : 'esb-e2e.cache');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, {
  filename: bundle,
  cachedData,
});
if (cachedData === undefined || script.cachedDataRejected || process.env.ESB_E2E_SEED_CACHE) {
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
script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, dist);
