// esb-e2e bench: the plain-Node floor of section 2. Runs the recorded calls of a parallel
// run (per env, in order, `jobs` envs at a time) with nothing but child_process.spawn,
// as esb-e2e spawns them (own process group, stdout and stderr piped and drained), and
// prints the elapsed ms. With `mb` > 0 it first holds that many MiB of touched memory, as
// a larger process: fork copies the parent's page tables, so each spawn costs more.
//   node floor-parallel.cjs <calls.json> <jobs> <mb>
// calls.json: { "cwd": dir, "env": {...}, "envs": { "<env>": [ [program, ...args], ... ] } }
'use strict';
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');

const [file, jobsArg, mbArg] = process.argv.slice(2);
const { cwd, env, envs } = JSON.parse(readFileSync(file, 'utf8'));
const held = [];
for (let i = 0; i < Number(mbArg || 0); i++) held.push(Buffer.alloc(1 << 20, 1));

const run = ([program, ...args], envName) =>
  new Promise((resolve) => {
    const child = spawn(program, args, { cwd, env: { ...env, ENV: envName }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.resume();
    child.stderr.resume();
    child.on('close', resolve);
  });

(async () => {
  const t0 = performance.now();
  const queue = Object.entries(envs).map(([name, calls]) => ({ name, calls }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) for (const call of next.calls) await run(call, next.name);
  };
  await Promise.all(Array.from({ length: Number(jobsArg) }, worker));
  process.stdout.write(`${performance.now() - t0}\n`);
  if (held.length < 0) console.log(held); // keeps the memory alive to the end
})();
