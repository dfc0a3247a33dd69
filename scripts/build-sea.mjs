// `npm run build:sea`: esb-e2e as one executable, dist/esb-e2e-linux-x64, with Node's
// single-executable-application support: the bundles (and their V8 code caches) are
// embedded as assets of a small loader, and the blob is injected into a copy of the node
// binary that runs this script (postject). It needs no node on PATH and no node_modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'dist/esb-e2e-linux-x64';
const WORK = 'dist/sea';
if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`build:sea makes a linux-x64 executable; this is ${process.platform}-${process.arch}`);
for (const bundle of ['esb-e2e.cjs', 'esb-e2e-run.cjs', 'esb-e2e-merge.cjs']) {
  if (!existsSync(join('dist', bundle))) throw new Error(`dist/${bundle} is missing: run \`npm run build\` first`);
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

// The loader: bin/esb-e2e.js's job, with the bundles and caches read from the executable.
const loader = `'use strict';
const { getAsset, isSea } = require('node:sea');
const { Script } = require('node:vm');
if (!isSea()) throw new Error('run this as the single executable');
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  process.stdout.write(JSON.parse(getAsset('package.json', 'utf8')).version + '\\n');
} else {
  const load = (name, requireFn) => {
    let cachedData;
    try {
      cachedData = Buffer.from(getAsset(name + '.cache'));
    } catch {
      cachedData = undefined;
    }
    const file = '/esb-e2e/' + name + '.cjs';
    const script = new Script('(function (exports, require, module, __filename, __dirname) {' + getAsset(name + '.cjs', 'utf8') + '\\n})', { filename: file, cachedData });
    const bundleModule = { exports: {} };
    script.runInThisContext()(bundleModule.exports, requireFn, bundleModule, file, '/esb-e2e');
    return bundleModule.exports;
  };
  const bundled = /^\\.\\/(esb-e2e-[a-z]+)\\.cjs$/;
  const requireForCli = Object.assign((id) => (bundled.test(id) ? load(bundled.exec(id)[1], require) : require(id)), require);
  load('esb-e2e', requireForCli);
}
`;
writeFileSync(join(WORK, 'main.cjs'), loader);

const assets = { 'package.json': 'package.json' };
for (const name of ['esb-e2e', 'esb-e2e-run', 'esb-e2e-merge']) {
  assets[`${name}.cjs`] = `dist/${name}.cjs`;
  if (existsSync(`dist/${name}.cache`)) assets[`${name}.cache`] = `dist/${name}.cache`;
}
const config = {
  main: join(WORK, 'main.cjs'),
  output: join(WORK, 'sea-prep.blob'),
  disableExperimentalSEAWarning: true,
  useSnapshot: false,
  useCodeCache: true,
  assets,
};
writeFileSync(join(WORK, 'sea-config.json'), JSON.stringify(config, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', join(WORK, 'sea-config.json')], { stdio: 'inherit' });

rmSync(OUT, { force: true });
copyFileSync(process.execPath, OUT);
chmodSync(OUT, 0o755);
// postject warns about ELF notes it does not know on every build; only a failure is shown.
const injected = spawnSync(join('node_modules', '.bin', 'postject'), [OUT, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {
  encoding: 'utf8',
});
if (injected.status !== 0) throw new Error(`postject failed:\n${injected.stdout}${injected.stderr}`);
rmSync(WORK, { recursive: true, force: true });
console.log(`built ${OUT}`);
