// What plain Node can do on this machine with a child's output, for comparison with the
// CLI (section 3): `node bench/floor.cjs <line|chunk> <log> <program> [args...]` runs the
// program, writes its output to <log> and to stdout with a `[bench] ` prefix per line.
//   line   one string operation per line (split, prefix, join), one write per chunk
//   chunk  whole-chunk operations (one regex replace adds every prefix), one write per chunk
// No masking, parsing or events: a lower bound on the cost of any per-line design.
'use strict';
const { spawn } = require('node:child_process');
const { openSync, writeSync } = require('node:fs');
const { StringDecoder } = require('node:string_decoder');

const [mode, logPath, program, ...args] = process.argv.slice(2);
const log = openSync(logPath, 'w');
const decoder = new StringDecoder('utf8');
let partial = '';
const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'] });

child.stdout.on('data', (chunk) => {
  const text = partial + decoder.write(chunk);
  const cut = text.lastIndexOf('\n') + 1;
  partial = text.slice(cut);
  const body = text.slice(0, cut);
  writeSync(log, body);
  let out;
  if (mode === 'chunk') {
    out = body.replace(/^/gm, '[bench] ').slice(0, -8);
  } else {
    out = '';
    let start = 0;
    for (let nl = body.indexOf('\n'); nl !== -1; nl = body.indexOf('\n', start)) {
      out += '[bench] ' + body.slice(start, nl) + '\n';
      start = nl + 1;
    }
  }
  if (!process.stdout.write(out)) {
    child.stdout.pause();
    process.stdout.once('drain', () => child.stdout.resume());
  }
});
child.on('close', (code) => {
  if (partial) {
    writeSync(log, partial + '\n');
    process.stdout.write(`[bench] ${partial}\n`);
  }
  process.exitCode = code ?? 1;
});
