#!/usr/bin/env node
// esb-e2e benchmark (`npm run bench`, which builds first). Runs the built CLI against
// throwaway projects wired to the fast fakes of bench/fake-tool.sh and measures:
//   1 overhead    orchestration cost per phase with instant tools (--jobs 8 and 1)
//   2 parallel    parallel efficiency: 4 envs x 4 phases of 1 s at --jobs 4 (the target),
//                 and 8 envs of 0.5 s phases at --jobs 8 and 4 (harder, informative)
//   3 throughput  a pytest printing 2,000,000 lines (and 200,000): lines/s against sed, RSS
//   4 failfast    --fail-fast: failure -> CLI exit latency, no surviving process
//   5 startup     --version and plan against `node -e 0`
// `node bench/run.mjs [section...]` runs only those sections. BENCH_REPO=<checkout> points
// it at another build of esb-e2e (A/B runs of a proposed change). Prints a table and
// writes it to bench/RESULTS.md (see report() at the end). Everything it creates lives in
// one temporary folder, removed at the end.
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import {
  CLI,
  PHASES,
  PROBE,
  REPO,
  TARGET,
  Workspace,
  alive,
  bash,
  fmt,
  makeProject,
  median,
  phaseOf,
  readRecords,
  replay,
  runCli,
  sleep,
  snapshotCli,
  startEngine,
} from './lib.mjs';

const SECTIONS = ['overhead', 'parallel', 'throughput', 'failfast', 'startup'];
const asked = process.argv.slice(2);
for (const a of asked) if (!SECTIONS.includes(a)) throw new Error(`unknown section ${a} (known: ${SECTIONS.join(', ')})`);
const want = (s) => asked.length === 0 || asked.includes(s);

const LOAD_AT_START = loadAverage();
let TARGET_DESCRIPTION = '';
const ENVS8 = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'];
/**
 * The shapes measured. The first is the one the target names (4 envs x 4 phases of 1 s at
 * --jobs 4, ideal 4 s); the others are harder, informative shapes: twice the envs with
 * half-second phases, so twice the phase changes per second on the same two cores.
 */
const PARALLEL_SHAPES = [
  { envs: ENVS8.slice(0, 4), jobs: 4, phaseS: 1, target: true },
  { envs: ENVS8, jobs: 8, phaseS: 0.5 },
  { envs: ENVS8, jobs: 4, phaseS: 0.5 },
];
const REPS = 3;
/** Parallel efficiency sits near its target: more runs for a steadier median. */
const PARALLEL_REPS = 7;
const rows = [];
/** One table row. `ok`: true/false against a target, null when informative only. */
const row = (item, metric, value, target = '', ok = null) => {
  rows.push({ item, metric, value, target, ok });
  const mark = ok === null ? '' : ok ? '  [met]' : '  [MISSED]';
  console.error(`  ${item} ${metric}: ${value}${target ? ` (target ${target})` : ''}${mark}`);
};

const ws = new Workspace();
/** The idle fake engine every project asks (see startEngine). */
let ENGINE;
const stop = () => {
  ws.cleanup();
  process.exit(130);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  if (!existsSync(join(TARGET, 'dist', 'esb-e2e.cjs'))) throw new Error(`${TARGET}/dist/esb-e2e.cjs missing: run \`npm run build\` first`);
  TARGET_DESCRIPTION = describeTarget();
  snapshotCli(ws);
  ENGINE = await startEngine(ws);
  if (want('overhead')) await overhead();
  if (want('parallel')) await parallel();
  if (want('throughput')) await throughput();
  if (want('failfast')) await failFast();
  if (want('startup')) await startup();
  report();
} finally {
  await ENGINE?.close();
  ws.cleanup();
}

// 1. Orchestration overhead ---------------------------------------------------------------
/** The fixed cost of any invocation (node, bundle, matrix, plan): `plan` on the project. */
async function startupCost(p) {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await runCli(['plan'], { cwd: p.root, env: p.env(), probe: true, ws }));
  return { wallMs: median(runs.map((r) => r.wallMs)), cpuMs: median(runs.map((r) => r.probe.userMs + r.probe.sysMs)) };
}

async function overhead() {
  console.error('1. orchestration overhead (8 envs x 4 phases, instant tools)');
  const p = makeProject(ws, 'overhead', ENVS8, { engine: ENGINE });
  const phases = ENVS8.length * PHASES.length;
  const fixed = await startupCost(p);
  row('1', 'fixed start-up cost (`plan` on the same project), wall / own CPU', `${fmt(fixed.wallMs)} / ${fmt(fixed.cpuMs)} ms`);

  let counts;
  for (const jobs of [8, 1]) {
    const per = [];
    for (let i = 0; i < REPS; i++) {
      const rec = ws.path(`rec-${jobs}-${i}.tsv`);
      const r = await runCli(['run', '--jobs', String(jobs)], { cwd: p.root, env: p.env({ BENCH_REC: rec }), probe: true, ws });
      if (r.code !== 0) throw new Error(`overhead run failed (${r.code}): ${r.stderr}${r.stdout.slice(-2000)}`);
      const records = readRecords(rec);
      // The tools' own time: the same calls from `jobs` shell loops (recording too, so
      // each call costs what it cost under the runner).
      const dir = ws.path(`replay-${jobs}-${i}`);
      mkdirSync(dir);
      const replayRec = join(dir, 'rec.tsv');
      const toolsMs = await replay(records, { bin: p.bin, jobs, dir, env: p.env({ BENCH_REC: replayRec }), cwd: p.root });
      const cpu = r.probe.userMs + r.probe.sysMs;
      per.push({
        wall: r.wallMs,
        tools: toolsMs,
        calls: records.length,
        perPhase: (r.wallMs - fixed.wallMs - toolsMs) / phases,
        perPhaseAll: (r.wallMs - toolsMs) / phases,
        cpuPerPhase: (cpu - fixed.cpuMs) / phases,
        gapRunner: median(gaps(records)),
        gapShell: median(gaps(readRecords(replayRec))),
      });
      counts ??= countByPhase(records, ENVS8.length);
    }
    const m = (k) => median(per.map((x) => x[k]));
    const label = `--jobs ${jobs}`;
    row('1', `${label}: CLI wall / tools' own time (same ${per[0].calls} calls from ${jobs} shell loop${jobs > 1 ? 's' : ''})`, `${fmt(m('wall'))} / ${fmt(m('tools'))} ms`);
    row('1', `${label}: overhead per phase = (wall - start-up - tools) / ${phases}`, `${fmt(m('perPhase'))} ms`, '< 15 ms', m('perPhase') < 15);
    row('1', `${label}: same, start-up not subtracted = (wall - tools) / ${phases}`, `${fmt(m('perPhaseAll'))} ms`);
    row('1', `${label}: runner's own CPU per phase = (CPU - start-up CPU) / ${phases}`, `${fmt(m('cpuPerPhase'))} ms`);
    if (jobs === 1) {
      row('1', `${label}: median gap between consecutive calls, runner vs shell loop`, `${fmt(m('gapRunner'), 2)} vs ${fmt(m('gapShell'), 2)} ms`);
    }
  }
  row('1', 'commands per phase (per env, counted from the run)', PHASES.map((ph) => `${ph} ${counts[ph]}`).join(', '));
}

/** Time from the end of one recorded call to the start of the next (sequential runs only), ms. */
function gaps(records) {
  const out = [];
  for (let i = 1; i < records.length; i++) out.push((records[i].start - records[i - 1].end) * 1000);
  return out;
}

function countByPhase(records, envs) {
  const counts = Object.fromEntries(PHASES.map((p) => [p, 0]));
  for (const r of records) counts[phaseOf(r)] = (counts[phaseOf(r)] ?? 0) + 1;
  for (const p of PHASES) counts[p] /= envs;
  return counts;
}

// 2. Parallel efficiency ------------------------------------------------------------------
async function parallel() {
  console.error('2. parallel efficiency (one sleeping command per phase)');
  for (const shape of PARALLEL_SHAPES) await parallelShape(shape);
}

async function parallelShape({ envs, jobs, phaseS, target = false }) {
  const tag = `${envs.length}-${jobs}-${phaseS}`;
  const p = makeProject(ws, `parallel-${tag}`, envs, { engine: ENGINE });
  const fixed = await startupCost(p);
  const s = `sleep=${phaseS}`;
  const slow = { BENCH_RESET: s, BENCH_UP: s, BENCH_DEPLOY: s, BENCH_TEST: s };
  // Each repetition runs both ways, interleaved: the engine API for the read-only
  // questions (the default), and the docker CLI for them (ESB_E2E_DOCKER_API=0).
  const ways = { api: {}, cli: { ESB_E2E_DOCKER_API: '0' } };
  const ideal = Math.ceil(envs.length / jobs) * PHASES.length * phaseS * 1000;
  const per = { api: [], cli: [] };
  for (let i = 0; i < PARALLEL_REPS; i++) {
    for (const [way, extra] of Object.entries(ways)) {
      const rec = ws.path(`par-${tag}-${way}-${i}.tsv`);
      const r = await runCli(['run', '--jobs', String(jobs), '--reporter', 'jsonl'], {
        cwd: p.root,
        env: p.env({ ...slow, ...extra, BENCH_REC: rec }),
        stdout: 'collect',
        probe: true,
        ws,
      });
      if (r.code !== 0) throw new Error(`parallel run failed (${r.code}): ${r.stderr}`);
      const events = jsonl(r.stdout);
      const t = (type) => Date.parse(events.find((e) => e.type === type).time);
      // The best any driver could do with these very calls here: the same per-env call
      // sequences from shell loops, `jobs` at a time.
      const dir = ws.path(`par-replay-${tag}-${way}-${i}`);
      mkdirSync(dir);
      const records = readRecords(rec);
      const bound = await replay(records, { bin: p.bin, jobs, dir, env: p.env({ ...slow, BENCH_REC: join(dir, 'rec.tsv') }), cwd: p.root });
      per[way].push({ suite: t('suite_end') - t('suite_start'), wall: r.wallMs, bound, cpu: r.probe.userMs + r.probe.sysMs - fixed.cpuMs, calls: records.length / envs.length });
    }
  }
  const m = (way, k) => median(per[way].map((x) => x[k]));
  const eff = ideal / m('api', 'suite');
  const label = `${envs.length} envs x ${PHASES.length} phases of ${phaseS} s, --jobs ${jobs}`;
  if (target) row('2', `${label}: ideal / actual (suite_start..suite_end), ideal ${ideal / 1000} s`, `${fmt(eff, 3)} (${fmt(m('api', 'suite'))} ms)`, '>= 0.95', eff >= 0.95);
  else row('2', `${label}: ideal / actual (suite_start..suite_end), ideal ${ideal / 1000} s (harder shape, no target)`, `${fmt(eff, 3)} (${fmt(m('api', 'suite'))} ms)`);
  row('2', `${label}: ideal / CLI wall (start-up included)`, `${fmt(ideal / m('api', 'wall'), 3)} (${fmt(m('api', 'wall'))} ms)`);
  row('2', `${label}: shell bound (same ${m('api', 'calls')} calls per env, ${jobs} shell loops) / actual; ideal / bound`, `${fmt(m('api', 'bound') / m('api', 'suite'), 3)}; ${fmt(ideal / m('api', 'bound'), 3)} (bound ${fmt(m('api', 'bound'))} ms)`);
  row('2', `${label}: actual - ideal vs runner's own CPU (start-up CPU subtracted)`, `${fmt(m('api', 'suite') - ideal)} vs ${fmt(m('api', 'cpu'))} ms`);
  row('2', `${label}, ESB_E2E_DOCKER_API=0 (${m('cli', 'calls')} calls per env): ideal / actual; shell bound / actual`, `${fmt(ideal / m('cli', 'suite'), 3)} (${fmt(m('cli', 'suite'))} ms); ${fmt(m('cli', 'bound') / m('cli', 'suite'), 3)}`);
  // The same calls spawned by plain Node, from a small process and from one holding
  // 20 MiB more (about the runner's size): what spawning alone costs from Node here.
  const calls = ws.path(`par-floor-${tag}.json`);
  const byEnv = {};
  for (const r of readRecords(ws.path(`par-${tag}-api-0.tsv`))) (byEnv[r.env] ??= []).push([join(p.bin, r.tool), ...r.args.split(' ')]);
  writeFileSync(calls, JSON.stringify({ cwd: p.root, env: p.env(slow), envs: byEnv }));
  const floor = { 0: [], 20: [] };
  for (let i = 0; i < PARALLEL_REPS; i++) {
    for (const mb of [0, 20]) {
      const out = execFileSync(process.execPath, [join(REPO, 'bench', 'floor-parallel.cjs'), calls, String(jobs), String(mb)], { encoding: 'utf8' });
      floor[mb].push(Number(out.trim()));
    }
  }
  row('2', `${label}: plain-Node floor, same calls (bench/floor-parallel.cjs): ideal / its time, small process; holding 20 MiB more (the runner's size)`, `${fmt(ideal / median(floor[0]), 3)}; ${fmt(ideal / median(floor[20]), 3)}`);
}

function jsonl(text) {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

// 3. Output throughput and memory ---------------------------------------------------------
async function throughput() {
  console.error('3. output throughput (one env, pytest prints N lines of 80 characters)');
  const p = makeProject(ws, 'throughput', ['bench'], { engine: ENGINE });
  const big = 2_000_000;
  const small = 200_000;
  const files = { [big]: await generate(ws.path('lines-2m.txt'), big), [small]: await generate(ws.path('lines-200k.txt'), small) };
  const gen = `${p.bin}/python3 -m pytest`; // prints files[big] (BENCH_TEST in timed())
  const timed = async (pipeline) => {
    const env = p.env({ ENV: 'bench', BENCH_TEST: `cat=${files[big]}` });
    const r = await bash(`set -o pipefail; t0=$EPOCHREALTIME; ${pipeline}; rc=$?; t1=$EPOCHREALTIME; echo "$rc $t0 $t1"`, { env, cwd: p.root });
    const [rc, t0, t1] = r.stdout.trim().split('\n').pop().split(' ').map(Number);
    if (rc !== 0) throw new Error(`pipeline failed (${rc}): ${pipeline}\n${r.stderr}`);
    return (t1 - t0) * 1000;
  };
  const sed = () => timed(`${gen} | sed 's/^/[bench] /' | tee ${ws.path('sed.log')} > /dev/null`);

  // Interleaved, so both sides see the same machine.
  const sedMs = [await sed()];
  const runs = { [big]: [], [small]: [] };
  for (let i = 0; i < 2; i++) {
    runs[big].push(await cliThroughput(p, big, files[big], `${i}`));
    sedMs.push(await sed());
  }
  const genMs = [await timed(`${gen} | cat > /dev/null`), await timed(`${gen} | cat > /dev/null`)];
  // Plain Node doing only the tee and the prefixes (bench/floor.cjs), per line and per chunk.
  const floor = (mode) => timed(`${process.execPath} ${join(REPO, 'bench', 'floor.cjs')} ${mode} ${ws.path('floor.log')} ${p.bin}/python3 -m pytest | cat > /dev/null`);
  const floorMs = { line: [], chunk: [] };
  for (let i = 0; i < 2; i++) for (const mode of ['line', 'chunk']) floorMs[mode].push(await floor(mode));
  for (let i = 0; i < 2; i++) runs[small].push(await cliThroughput(p, small, files[small], `${i}`));

  const sedRate = big / (median(sedMs) / 1000);
  row('3', 'generator alone (fake pytest | cat > /dev/null), 2M lines', `${fmt(median(genMs))} ms (${fmt(big / (median(genMs) / 1000) / 1e6, 2)} M lines/s)`);
  row('3', "baseline: generator | sed 's/^/[env] /' | tee log > /dev/null", `${fmt(median(sedMs))} ms (${fmt(sedRate / 1e6, 3)} M lines/s)`);
  for (const mode of ['line', 'chunk']) {
    const r = big / (median(floorMs[mode]) / 1000);
    row('3', `plain-Node floor, ${mode === 'line' ? 'one string op per line' : 'whole-chunk regex'} (bench/floor.cjs ${mode}), 2M lines`, `${fmt(median(floorMs[mode]))} ms (${fmt(r / 1e6, 3)} M lines/s = ${fmt(r / sedRate, 2)} x sed)`);
  }
  const m = (n, k) => median(runs[n].map((x) => x[k]));
  const rate = big / (m(big, 'testMs') / 1000);
  const ratio = rate / sedRate;
  row('3', 'CLI, 2M lines: test phase (log markers) / whole CLI wall / own CPU', `${fmt(m(big, 'testMs'))} / ${fmt(m(big, 'wallMs'))} / ${fmt(m(big, 'cpuMs'))} ms`);
  row('3', 'CLI, 2M lines: lines/s in the test phase, and ratio to sed', `${fmt(rate / 1e6, 3)} M lines/s = ${fmt(ratio, 2)} x sed`, '>= 0.5 x sed', ratio >= 0.5);
  row('3', 'CLI, 200k lines: lines/s in the test phase', `${fmt(small / (m(small, 'testMs') / 1000) / 1e6, 3)} M lines/s (test phase ${fmt(m(small, 'testMs'))} ms)`);
  const all = [...runs[big], ...runs[small]];
  const exact = all.every((x) => x.logSame && x.logLines === x.n);
  row('3', 'log holds every generator line, in order (200k / 2M)', `${runs[small].map((x) => x.logLines).join(', ')} / ${runs[big].map((x) => x.logLines).join(', ')}${exact ? ', identical to the generator' : ', DIFFERENT from the generator'}`, 'exact', exact);
  const out = all.every((x) => x.stdoutLines === x.n);
  row('3', 'stdout holds every line (200k / 2M)', `${runs[small].map((x) => x.stdoutLines).join(', ')} / ${runs[big].map((x) => x.stdoutLines).join(', ')}`, 'exact', out);
  const hwmSmall = Math.max(...runs[small].map((x) => x.hwmMB));
  const hwmBig = Math.max(...runs[big].map((x) => x.hwmMB));
  // Bounded: the peak stays under 150 MB. Flat: the 2M run's RSS stops climbing (its last
  // quarter peaks at most 10% above the rest); a per-line leak would climb all along. The
  // 200k run is shown but not compared: it ends (0.2 s of output) before V8 has grown its
  // young generation to its working size, a fixed ~30-40 MB that any longer run reaches.
  const climb = Math.max(...runs[big].map((x) => x.lastQuarterMB / x.firstThreeQuartersMB));
  const bounded = hwmBig < 150 && hwmSmall < 150;
  row('3', 'max RSS (VmHWM) at 200k / 2M lines', `${fmt(hwmSmall)} / ${fmt(hwmBig)} MB`, '< 150 MB', bounded);
  row('3', '2M run: peak VmRSS in its first 3/4 vs its last 1/4 (sampled every 50 ms)', runs[big].map((x) => `${fmt(x.firstThreeQuartersMB)} vs ${fmt(x.lastQuarterMB)} MB`).join('; '), 'flat (<= 1.1x)', climb <= 1.1);
}

/**
 * One CLI run whose pytest prints the n lines of `file`: stdout to a pipe read by
 * `grep -c` (counts the env's generator lines), the log on disk. Samples the CLI's VmRSS
 * from outside while it runs; checks the log against the generator.
 */
async function cliThroughput(p, n, file, tag) {
  const count = ws.path(`count-${n}-${tag}`);
  const probeOut = ws.path(`probe-${n}-${tag}.json`);
  const pidFile = ws.path(`pid-${n}-${tag}`);
  const env = p.env({ BENCH_TEST: `cat=${file}`, BENCH_PROBE_OUT: probeOut, BENCH_PROBE_PID: pidFile });
  const pipeline = `${process.execPath} --require ${PROBE} ${CLI} run | grep -c '^\\[bench\\] L' > ${count}`;
  let done = false;
  const running = bash(`t0=$EPOCHREALTIME; ${pipeline}; rc=\${PIPESTATUS[0]}; t1=$EPOCHREALTIME; echo "$rc $t0 $t1"`, { env, cwd: p.root }).finally(() => (done = true));
  const samples = [];
  while (!done) {
    await sleep(50);
    if (!existsSync(pidFile)) continue;
    try {
      const kB = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${readFileSync(pidFile, 'utf8')}/status`, 'utf8'));
      if (kB) samples.push(Number(kB[1]) / 1024);
    } catch {
      // Gone already.
    }
  }
  const r = await running;
  const [rc, t0, t1] = r.stdout.trim().split(' ').map(Number);
  if (rc !== 0) throw new Error(`throughput run failed (${rc}): ${r.stderr}`);
  const log = p.log('bench');
  const check = await bash(
    `grep -E '^\\[[0-9:.]+\\] (==>|<==) test' ${log}; grep -E '^L[0-9]{9} ' ${log} | cmp -s - ${file} && echo SAME || echo DIFFERENT; grep -cE '^L[0-9]{9} ' ${log}`,
    { env: p.env() },
  );
  const lines = check.stdout.trim().split('\n');
  const probe = JSON.parse(readFileSync(probeOut, 'utf8').trim());
  const q = Math.floor((samples.length * 3) / 4);
  return {
    n,
    wallMs: (t1 - t0) * 1000,
    testMs: clockDiff(lines[0], lines[1]),
    logSame: lines[2] === 'SAME',
    logLines: Number(lines[3]),
    stdoutLines: Number(readFileSync(count, 'utf8').trim()),
    hwmMB: probe.hwmKB / 1024,
    cpuMs: probe.userMs + probe.sysMs,
    firstThreeQuartersMB: Math.max(...samples.slice(0, q)),
    lastQuarterMB: Math.max(...samples.slice(q)),
  };
}

/** Writes n lines of exactly 80 characters: `L000000001 xxxx...`. */
async function generate(file, n) {
  const stream = createWriteStream(file);
  const filler = ' ' + 'abcdefghij'.repeat(7);
  const chunk = 10_000;
  for (let i = 1; i <= n; i += chunk) {
    let text = '';
    for (let j = i; j < Math.min(i + chunk, n + 1); j++) text += `L${String(j).padStart(9, '0')}${filler}\n`;
    if (!stream.write(text)) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise((r, j) => stream.end((e) => (e ? j(e) : r())));
  return file;
}

/** ms between two log markers `[hh:mm:ss.mmm] ...` (same day or the next). */
function clockDiff(a, b) {
  const ms = (line) => {
    const [h, m, s] = /^\[([\d:.]+)\]/.exec(line)[1].split(':').map(Number);
    return ((h * 60 + m) * 60 + s) * 1000;
  };
  const d = ms(b) - ms(a);
  return d < 0 ? d + 86_400_000 : d;
}

// 4. Fail-fast latency --------------------------------------------------------------------
async function failFast() {
  console.error('4. fail-fast (env a fails in deploy while env b sleeps 60 s in compose up)');
  const p = makeProject(ws, 'failfast', ['a', 'b'], { engine: ENGINE });
  const scenarios = [
    { name: 'instant tools', extra: {}, target: true },
    // A failed env's containers are captured (compose ps + logs) before anything else;
    // real `compose logs` can take seconds.
    { name: "a's `compose logs` (failure capture) takes 2 s", extra: { BENCH_LOGS_a: 'sleep=2' }, target: false },
  ];
  for (const [k, sc] of scenarios.entries()) {
    const per = [];
    let survivors = 0;
    let seen = 0;
    const codes = new Set();
    for (let i = 0; i < REPS; i++) {
      const stamp = ws.path(`ff-stamp-${k}-${i}`);
      const pidFile = ws.path(`ff-pids-${k}-${i}`);
      const env = p.env({ BENCH_DEPLOY_a: `sleep=0.3 exit=1 stamp=${stamp}`, BENCH_UP_b: `pidfile=${pidFile} hold=60`, ...sc.extra });
      // While the CLI runs, note when b's processes are all gone.
      let running = true;
      let bGoneAt = NaN;
      const watch = (async () => {
        while (running && Number.isNaN(bGoneAt)) {
          await sleep(5);
          if (!existsSync(stamp) || !existsSync(pidFile)) continue;
          const pids = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
          if (pids.length >= 2 && !pids.some(alive)) bGoneAt = Date.now();
        }
      })();
      const r = await runCli(['run', '--fail-fast', '--reporter', 'jsonl'], { cwd: p.root, env, stdout: 'collect', ws });
      running = false;
      await watch;
      codes.add(r.code);
      const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
      seen += pids.length;
      const living = pids.filter(alive);
      survivors += living.length;
      for (const pid of living) process.kill(pid, 'SIGKILL');
      const failedAt = Number(readFileSync(stamp, 'utf8').trim()) * 1000;
      const events = jsonl(r.stdout);
      const at = (pred) => Date.parse(events.find(pred).time);
      per.push({
        exit: r.exitAt - failedAt,
        bGone: (Number.isNaN(bGoneAt) ? r.exitAt : bGoneAt) - failedAt,
        aEnd: at((e) => e.type === 'env_end' && e.env === 'a') - failedAt,
        bEnd: at((e) => e.type === 'env_end' && e.env === 'b') - failedAt,
      });
    }
    const m = (key) => median(per.map((x) => x[key]));
    const runs = per.map((x) => fmt(x.exit, 0)).join(', ');
    const label = `${sc.name}:`;
    if (sc.target) row('4', `${label} a's failing call exits -> CLI exit`, `${fmt(m('exit'))} ms (runs: ${runs})`, '< 1000 ms', m('exit') < 1000);
    else row('4', `${label} a's failing call exits -> CLI exit`, `${fmt(m('exit'))} ms (runs: ${runs})`);
    row('4', `${label}   -> b's processes gone / a's env_end / b's env_end`, `${fmt(m('bGone'))} / ${fmt(m('aEnd'))} / ${fmt(m('bEnd'))} ms`);
    row('4', `${label}   b's processes (bash + sleep) alive after exit`, `${survivors} of ${seen}; exit code ${[...codes].join(',')}`, sc.target ? '0' : '', sc.target ? survivors === 0 && seen > 0 : null);
  }
}

// 5. Start-up -----------------------------------------------------------------------------
async function startup() {
  console.error('5. start-up (median of 10, interleaved)');
  const p = makeProject(ws, 'startup', ['s1', 's2'], { engine: ENGINE });
  const env = p.env();
  const times = { bare: [], version: [], plan: [] };
  const once = (args) =>
    new Promise((resolvePromise, reject) => {
      const t0 = performance.now();
      const c = spawn(process.execPath, args, { cwd: p.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.resume();
      c.stderr.resume();
      c.on('error', reject);
      c.on('exit', (code) => (code === 0 ? resolvePromise(performance.now() - t0) : reject(new Error(`${args.join(' ')} exited ${code}`))));
    });
  for (let i = 0; i < 10; i++) {
    times.bare.push(await once(['-e', '0']));
    times.version.push(await once([CLI, '--version']));
    times.plan.push(await once([CLI, 'plan']));
  }
  const bare = median(times.bare);
  row('5', '`node -e 0`', `${fmt(bare)} ms`);
  // The single executable (npm run build:sea), when it was built: the same two commands.
  const sea = join(TARGET, 'dist', 'esb-e2e-linux-x64');
  if (existsSync(sea)) {
    const seaTimes = { version: [], plan: [] };
    const timed = (args) =>
      new Promise((resolvePromise, reject) => {
        const t0 = performance.now();
        const c = spawn(sea, args, { cwd: p.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
        c.stdout.resume();
        c.stderr.resume();
        c.on('error', reject);
        c.on('exit', (code) => (code === 0 ? resolvePromise(performance.now() - t0) : reject(new Error(`${sea} ${args.join(' ')} exited ${code}`))));
      });
    for (let i = 0; i < 10; i++) {
      seaTimes.version.push(await timed(['--version']));
      seaTimes.plan.push(await timed(['plan']));
    }
    for (const k of ['version', 'plan']) {
      row('5', `single executable \`${k === 'version' ? '--version' : 'plan'}\``, `${fmt(median(seaTimes[k]))} ms = ${fmt(median(seaTimes[k]) / bare, 2)} x node -e 0`);
    }
  }
  for (const k of ['version', 'plan']) {
    const ratio = median(times[k]) / bare;
    // `plan` reads the matrix and plans: it must start in under twice a bare node's time.
    const limit = k === 'version' ? 3 : 2;
    row('5', `\`esb-e2e ${k === 'version' ? '--version' : 'plan'}\``, `${fmt(median(times[k]))} ms = ${fmt(ratio, 2)} x node -e 0`, `< ${limit} x`, ratio < limit);
  }
}

// Report ----------------------------------------------------------------------------------
function machine() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.*)$/m.exec(info)?.[1];
  return `${model}${mhz ? ` (${Math.round(Number(mhz))} MHz)` : ''}, ${cpus().length} cores, node ${process.version}, ${new Date().toISOString()}, load average ${LOAD_AT_START} at start, ${loadAverage()} at end`;
}

/** Which build was measured: its folder and git commit (`+changes` when the tree differs). */
function describeTarget() {
  const git = (...args) => execFileSync('git', ['-C', TARGET, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let commit = 'no git';
  try {
    commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src', 'bin') ? '+changes' : '');
  } catch {
    // Not a checkout.
  }
  return `${TARGET === REPO ? 'this checkout' : TARGET} (${commit})`;
}

/** 1-, 5- and 15-minute load averages: other work on the machine skews every timing. */
function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function report() {
  const head = ['#', 'measure', 'value', 'target', 'met'];
  const body = rows.map((r) => [r.item, r.metric, r.value, r.target, r.ok === null ? '' : r.ok ? 'yes' : '**NO**']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const table = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
  const text = `Machine: ${machine()}\nCLI: ${TARGET_DESCRIPTION}, copied at start; sections: ${(asked.length ? asked : SECTIONS).join(', ')}\n\n${table}\n`;
  console.log(`\n${text}`);
  // A run against another build (BENCH_REPO) is printed only.
  if (TARGET !== REPO) return;

  // bench/RESULTS.md keeps the hand-written notes; this run's table replaces the block
  // between the "latest" markers, and the table it replaces moves to the "previous" block.
  const file = join(REPO, 'bench', 'RESULTS.md');
  const mark = (name) => [`<!-- bench:${name} begin (written by bench/run.mjs) -->`, `<!-- bench:${name} end -->`];
  const [latestBegin, latestEnd] = mark('latest');
  const [prevBegin, prevEnd] = mark('previous');
  let doc = existsSync(file)
    ? readFileSync(file, 'utf8')
    : `# esb-e2e benchmark results\n\n## Latest run\n\n${latestBegin}\n${latestEnd}\n\n## Previous run\n\n${prevBegin}\n${prevEnd}\n`;
  const between = (whole, a, b) => {
    const i = whole.indexOf(a);
    const j = whole.indexOf(b);
    return i >= 0 && j > i ? { i, j: j + b.length, inner: whole.slice(i + a.length, j) } : undefined;
  };
  const latest = between(doc, latestBegin, latestEnd);
  const previousText = latest?.inner.trim();
  doc = latest ? doc.slice(0, latest.i) + `${latestBegin}\n${text}${latestEnd}` + doc.slice(latest.j) : `${doc}\n${latestBegin}\n${text}${latestEnd}\n`;
  const prev = between(doc, prevBegin, prevEnd);
  if (previousText && prev) doc = doc.slice(0, prev.i) + `${prevBegin}\n${previousText}\n${prevEnd}` + doc.slice(prev.j);
  writeFileSync(file, doc);
}
