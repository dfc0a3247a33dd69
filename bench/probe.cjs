// Preloaded into the CLI under measurement (`node --require bench/probe.cjs ...`). With
// $BENCH_PROBE_OUT set, it appends on the way out one JSON line: the process's own CPU
// time (RUSAGE_SELF, children excluded) and its peak RSS (VmHWM of /proc/self/status).
// With $BENCH_PROBE_PID set, it writes its pid there at start, so the bench can sample
// /proc/<pid>/status from outside while it runs.
'use strict';
const fs = require('node:fs');

if (process.env.BENCH_PROBE_PID) fs.writeFileSync(process.env.BENCH_PROBE_PID, String(process.pid));
const out = process.env.BENCH_PROBE_OUT;
if (out) {
  process.once('exit', () => {
    const cpu = process.cpuUsage();
    let hwmKB = null;
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      if (m) hwmKB = Number(m[1]);
    } catch {
      // No /proc: leave it null.
    }
    fs.appendFileSync(out, JSON.stringify({ userMs: cpu.user / 1000, sysMs: cpu.system / 1000, hwmKB }) + '\n');
  });
}
