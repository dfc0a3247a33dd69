// Writes schema/report.schema.json from the zod schema in src/report/schema.ts (the one
// source of truth). `node scripts/gen-schema.mjs --check` only compares and exits 1 when
// the committed file is stale. test/report/schema.test.ts makes the same comparison.
import { build } from 'esbuild';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const out = new URL('../schema/report.schema.json', import.meta.url);
const bundled = await build({
  entryPoints: [new URL('../src/report/schema.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  logLevel: 'warning',
});
const code = bundled.outputFiles[0].text;
const { reportJsonSchemaText } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
const text = reportJsonSchemaText();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (current !== text) {
    process.stderr.write('schema/report.schema.json is stale: run `node scripts/gen-schema.mjs`\n');
    process.exitCode = 1;
  }
} else {
  const tmp = new URL(`../schema/.report.schema.json.${process.pid}.tmp`, import.meta.url);
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  process.stdout.write('wrote schema/report.schema.json\n');
}
