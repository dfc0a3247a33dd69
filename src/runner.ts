// One env's pipeline (reset -> compose -> deploy -> test, then cleanup when asked) and the
// scheduling of all envs under p-limit, with fail-fast and cancellation. Emits events;
// writes each env's log; never prints anything itself.
import pLimit from 'p-limit';
import type { RunSettings } from './cli';
import { detectCompose, type ComposeCli } from './compose';
import { deploy } from './deploy';
import { SocketApi, configDir, currentContext, engineSocket, type DockerApi } from './docker-api';
import type { Vars } from './env';
import type { EnvResult, EventBus, PhaseId, PhaseResult, Status, SuiteResult, TestCounts } from './events';
import { exec as realExec, fmtSeconds, type Command, type ExecOptions, type ExecResult } from './exec';
import { startInfra, stopInfra } from './infra';
import { captureCompose, composeUp, down, reset } from './lifecycle';
import { LogFile, clock } from './logging';
import { Masker } from './mask';
import type { PhaseName } from './matrix';
import { type PhaseContext, type PhaseOutcome, type RunOpts } from './phase';
import { resolveEnvVars, type EnvPlan, type Plan } from './planner';
import { busyPorts, freeShift, isPortFree } from './ports';
import { PytestProgress, test } from './pytest';
import { waitForUrl, type WaitResult } from './wait';

export interface RunnerDeps {
  exec(command: Command, options: ExecOptions): Promise<ExecResult>;
  wait(url: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult>;
  portFree(port: number): Promise<boolean>;
  /** A client of the engine at this unix socket once it answers, else why not. */
  dockerApi(socketPath: string): Promise<DockerApi | string>;
  now(): number;
  /** Interval of `[env] test running 2m30s` lines while a phase runs. */
  heartbeatMs: number;
}

export const realDeps: RunnerDeps = {
  exec: realExec,
  wait: waitForUrl,
  portFree: isPortFree,
  dockerApi: (socketPath) => SocketApi.connect(socketPath),
  now: () => Date.now(),
  heartbeatMs: 30_000,
};

export interface RunSignals {
  /** First Ctrl-C / SIGTERM: start nothing new, cancel what runs, clean up as configured. */
  readonly cancel: AbortSignal;
  /** Ends cleanup commands too (a second Ctrl-C). */
  readonly hard?: AbortSignal;
}

const STEPS: readonly PhaseName[] = ['reset', 'compose', 'deploy', 'test'];
const TAIL_LINES = 40;
const CAPTURE_TIMEOUT_MS = 120_000;

/** `[a, b c]` -> `a 'b c'`: command lines as a shell would read them. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (a === '' ? "''" : /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

const emptyCounts = (): TestCounts => ({ collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 });

export async function runSuite(
  plan: Plan,
  settings: RunSettings,
  bus: EventBus,
  signals: RunSignals,
  deps: RunnerDeps = realDeps,
): Promise<SuiteResult> {
  const startedMs = deps.now();
  const startedAt = new Date(startedMs).toISOString();
  const run = new AbortController();
  const stopRun = () => run.abort();
  signals.cancel.addEventListener('abort', stopRun, { once: true });
  const hard = signals.hard ?? new AbortController().signal;
  bus.emit({ type: 'suite_start', envs: plan.envs.map((e) => e.name), jobs: plan.jobs, startedAt });
  for (const message of plan.notices) bus.emit({ type: 'notice', scope: 'suite', message });

  const results: EnvResult[] = [];
  const quietRun = (argv: readonly string[], signal: AbortSignal) =>
    deps.exec({ argv, env: { ...plan.base }, cwd: plan.root }, { signal });

  let setupError: string | null = null;
  let compose: ComposeCli | undefined;
  let infraStarted = false;
  if (plan.envs.length > 0) {
    const detected = await detectCompose(plan, (cmd) => deps.exec(cmd, { signal: run.signal }));
    if (typeof detected === 'string') setupError = detected;
    else compose = detected;
  }

  const needsInfra = plan.infra && plan.envs.some((e) => e.phases.compose === 'run');
  if (compose && needsInfra && !run.signal.aborted) {
    const infraLog = await LogFile.open(`${plan.logDir}/.parallel-infra.log`).catch(() => undefined);
    const infraMasker = Masker.forVars(plan.base);
    const infraRun = (argv: readonly string[]) => {
      const shown = infraMasker.mask(quoteArgv(argv));
      infraLog?.line(`$ ${shown}`);
      bus.emit({ type: 'command', env: 'infra', phase: 'compose', command: shown });
      return deps.exec(
        { argv, env: { ...plan.base, PORT_REGISTRY: String(plan.registryPort) }, cwd: plan.root, setting: 'matrix `compose`' },
        {
          signal: run.signal,
          onLines: (lines, raw, ascii) => {
            const { text, lines: masked } = maskLines(infraMasker, lines, raw);
            infraLog?.write(text, ascii);
            bus.emit({ type: 'output', env: 'infra', phase: 'compose', lines: masked, ascii });
          },
        },
      );
    };
    const t0 = deps.now();
    const infra = await startInfra(plan, compose, { run: infraRun, wait: (url, ms) => deps.wait(url, ms, run.signal) });
    infraStarted = true;
    if (infra.ok) bus.emit({ type: 'registry_ready', url: infra.url, durationMs: deps.now() - t0 });
    else if (!infra.cancelled) setupError = infra.reason;
    if (!infra.ok) infraLog?.line(infra.reason);
    await infraLog?.close();
  }

  // One client per engine socket, shared by the envs on it; one read per docker config.
  const engines = new Map<string, Promise<DockerApi | string>>();
  const contexts = new Map<string | null, Promise<string | null>>();
  const engineOf = async (env: EnvPlan, vars: Vars): Promise<DockerApi | string | null> => {
    const dir = configDir(vars);
    if (!contexts.has(dir)) contexts.set(dir, currentContext(dir));
    const socket = engineSocket(vars, env.dockerContext, await contexts.get(dir)!);
    if (!socket) return null;
    if (!engines.has(socket)) engines.set(socket, deps.dockerApi(socket));
    const api = await engines.get(socket)!;
    return typeof api === 'string' ? `docker engine API at unix://${socket}: ${api}; asking the docker CLI` : api;
  };

  const limit = pLimit(Math.max(1, plan.jobs));
  await Promise.all(
    plan.envs.map((env) =>
      limit(async () => {
        const result = await runEnv(env);
        results.push(result);
        if (result.status === 'failed' && settings.failFast) run.abort();
      }),
    ),
  );

  if (compose && infraStarted && settings.cleanup && plan.infra && !(settings.keepFailed && results.some((r) => r.status === 'failed'))) {
    await stopInfra(plan, compose, { run: (argv) => quietRun(argv, hard), wait: deps.wait });
  }
  signals.cancel.removeEventListener('abort', stopRun);

  const order = new Map(plan.envs.map((e, i) => [e.name, i]));
  results.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  const status: Status = signals.cancel.aborted
    ? 'cancelled'
    : results.every((r) => r.status === 'passed')
      ? 'passed'
      : 'failed';
  const result: SuiteResult = { status, startedAt, durationMs: deps.now() - startedMs, envs: results, signal: null };
  return result;

  async function runEnv(env: EnvPlan): Promise<EnvResult> {
    const envStart = deps.now();
    const phases: PhaseResult[] = [];
    const counts = emptyCounts();
    const base: EnvResult = {
      name: env.name,
      status: 'cancelled',
      durationMs: 0,
      error: null,
      phases,
      tests: counts,
      log: env.log,
      composeLog: null,
      junit: null,
      tail: [],
    };
    const skipAll = (status: PhaseResult['status'], error: string | null) => {
      for (const name of STEPS) phases.push({ name, status: env.phases[name] === 'skip' ? 'skipped' : status, durationMs: 0, error });
    };
    if (run.signal.aborted) {
      skipAll('skipped', null);
      const error = 'cancelled before it started';
      bus.emit({ type: 'env_end', env: env.name, status: 'cancelled', durationMs: 0, error });
      return { ...base, error };
    }
    bus.emit({ type: 'env_start', env: env.name });
    let log: LogFile;
    try {
      log = await LogFile.open(env.log);
    } catch (e) {
      const error = `cannot write its log ${env.log}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
      skipAll('skipped', null);
      bus.emit({ type: 'env_end', env: env.name, status: 'failed', durationMs: deps.now() - envStart, error });
      return { ...base, status: 'failed', error, durationMs: deps.now() - envStart };
    }
    // The last TAIL_LINES lines, in a ring: one store per line, however much is printed.
    const ring: string[] = new Array<string>(TAIL_LINES);
    let written = 0;
    /** Lines (`text`: them, each LF-terminated): one write to the log, the last ones into the ring. */
    const logLines = (text: string, lines: readonly string[], ascii = false) => {
      log.write(text, ascii);
      const from = Math.max(0, lines.length - TAIL_LINES);
      written += from;
      for (let i = from; i < lines.length; i++) ring[written++ % TAIL_LINES] = lines[i]!;
    };
    const logLine = (text: string) => logLines(text + '\n', [text]);

    let shift = 0;
    // The plan resolved them for the planned ports; resolving is a few milliseconds, so
    // they are resolved again only when the ports really changed.
    let memo: { shift: number; discovered: Vars | undefined; vars: Vars } = {
      shift: 0,
      discovered: undefined,
      vars: Object.freeze({ ...plan.base, ...env.env }),
    };
    const vars = (): Vars => {
      if (memo.shift === shift && sameVars(memo.discovered, ctxState.discovered)) return memo.vars;
      const value = Object.freeze({ ...plan.base, ...resolveEnvVars(env.input, plan.base, shift, ctxState.discovered ?? {}).vars });
      memo = { shift, discovered: ctxState.discovered, vars: value };
      return value;
    };
    const ctxState: { discovered: Vars | undefined } = { discovered: undefined };
    const masker = Masker.forVars(plan.base, vars());
    const pressure = () => {
      const a = log.pressure();
      const b = bus.pressure();
      return a && b ? Promise.all([a, b]).then(() => undefined) : (a ?? b);
    };
    logLine(`# esb-e2e: env ${env.name}, started ${new Date(envStart).toISOString()}`);
    // Looked up on the first question, so the env's first command does not wait for it.
    let engine: Promise<DockerApi | null> | undefined;
    const engineOfEnv = () =>
      (engine ??= !plan.dockerApi
        ? Promise.resolve(null)
        : engineOf(env, vars()).then((api) => {
            if (typeof api !== 'string') return api;
            logLine(`# ${api}`);
            return null;
          }));

    const makeContext = (phase: PhaseId, signal: AbortSignal): PhaseContext => ({
      plan,
      env,
      settings,
      compose: compose!,
      signal,
      engine: engineOfEnv,
      vars,
      get discovered() {
        return ctxState.discovered;
      },
      set discovered(value) {
        ctxState.discovered = value;
      },
      run: async (argv: readonly string[], opts: RunOpts = {}) => {
        const shown = masker.mask(quoteArgv(argv));
        logLine(`$ ${shown}`);
        if (!opts.quiet) bus.emit({ type: 'command', env: env.name, phase, command: shown });
        const result = await deps.exec(
          { argv, env: { ...vars(), ...opts.env }, cwd: plan.root, ...(opts.setting ? { setting: opts.setting } : {}) },
          {
            signal,
            capture: opts.capture ?? false,
            pressure,
            onLines: (lines, raw, ascii) => {
              // Masking keeps ASCII text ASCII: it puts in *** only.
              const masked = maskLines(masker, lines, raw);
              logLines(masked.text, masked.lines, ascii);
              opts.onLines?.(lines, raw);
              if (!opts.quiet) bus.emit({ type: 'output', env: env.name, phase, lines: masked.lines, ascii });
            },
          },
        );
        if (!result.ok && result.reason) logLine(`# ${result.reason}`);
        return result;
      },
      note: (line: string) => {
        logLine(`# ${line}`);
        bus.emit({ type: 'output', env: env.name, phase, lines: [`# ${line}`] });
      },
      trace: (line: string) => logLine(`# ${line}`),
      progress: (current, total) => bus.emit({ type: 'phase_progress', env: env.name, phase, current, total }),
      wait: (url, ms) => deps.wait(url, ms, signal),
      mask: (text) => masker.mask(text),
    });

    const runPhase = async (
      phase: PhaseId,
      timeoutS: number,
      parent: AbortSignal,
      body: (ctx: PhaseContext) => Promise<PhaseOutcome>,
    ): Promise<PhaseResult> => {
      const t0 = deps.now();
      bus.emit({ type: 'phase_start', env: env.name, phase });
      logLine(`[${clock(new Date(t0))}] ==> ${phase}`);
      const ac = new AbortController();
      const onParent = () => ac.abort();
      parent.addEventListener('abort', onParent, { once: true });
      if (parent.aborted) ac.abort();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ac.abort();
      }, timeoutS * 1000);
      const beat = setInterval(
        () => bus.emit({ type: 'heartbeat', env: env.name, phase, elapsedMs: deps.now() - t0 }),
        deps.heartbeatMs,
      );
      let outcome: PhaseOutcome;
      try {
        outcome = await body(makeContext(phase, ac.signal));
      } catch (e) {
        outcome = { ok: false, reason: e instanceof Error ? e.message : String(e) };
      } finally {
        clearTimeout(timer);
        clearInterval(beat);
        parent.removeEventListener('abort', onParent);
      }
      // A write still in flight may be the one that fails.
      if (outcome.ok) await log.drained();
      if (outcome.ok && log.error) outcome = { ok: false, reason: `cannot write its log ${env.log}: ${log.error.code ?? log.error.message}` };
      let status: Status = 'passed';
      let error: string | null = null;
      if (timedOut) {
        status = 'failed';
        error = `timed out after ${fmtSeconds(timeoutS * 1000)}`;
      } else if (!outcome.ok) {
        status = parent.aborted ? 'cancelled' : 'failed';
        error = status === 'cancelled' ? 'cancelled' : outcome.reason;
      }
      const durationMs = deps.now() - t0;
      logLine(`[${clock(new Date(deps.now()))}] <== ${phase} ${status} (${formatDuration(durationMs)})${error ? `: ${error}` : ''}`);
      bus.emit({ type: 'phase_end', env: env.name, phase, status, durationMs, ...(error ? { error } : {}) });
      return { name: phase, status, durationMs, error };
    };

    let status: Status = 'passed';
    let error: string | null = null;
    let composeStarted = false;
    const progress = new PytestProgress();
    // The env's planned ports are checked while reset's `compose down` runs, not at the
    // moment every env moves on to compose at once; a port busy then (perhaps held by the
    // env's own containers of an earlier run) is checked again after down.
    let portsDuringReset: Promise<number[] | undefined> | undefined;
    for (const step of STEPS) {
      if (env.phases[step] === 'skip') {
        const reason = step === 'test' ? '--build-only' : '--test-only';
        bus.emit({ type: 'phase_skip', env: env.name, phase: step, reason });
        logLine(`# ${step} skipped (${reason})`);
        phases.push({ name: step, status: 'skipped', durationMs: 0, error: null });
        continue;
      }
      if (status !== 'passed') {
        phases.push({ name: step, status: 'skipped', durationMs: 0, error: null });
        continue;
      }
      if (run.signal.aborted) {
        status = 'cancelled';
        error = 'cancelled';
        phases.push({ name: step, status: 'skipped', durationMs: 0, error: null });
        continue;
      }
      if (setupError !== null) {
        status = 'failed';
        error = setupError;
        logLine(`# ${setupError}`);
        phases.push({ name: step, status: 'failed', durationMs: 0, error: setupError });
        bus.emit({ type: 'phase_end', env: env.name, phase: step, status: 'failed', durationMs: 0, error: setupError });
        continue;
      }
      if (step === 'compose') composeStarted = true;
      const body = {
        reset: (ctx: PhaseContext) => {
          const resetting = reset(ctx);
          // After this turn: the commands it starts (every env's first one, at the suite's
          // start) go first.
          portsDuringReset = new Promise((r) => setImmediate(r))
            .then(() => busyPorts(env, deps.portFree))
            .then((busy) => {
              if (busy.length) ctx.trace(`port ${busy.join(', ')} in use during reset: checked again after compose down`);
              return busy;
            })
            // Checked again at compose, where a failure fails the phase.
            .catch(() => undefined);
          return resetting;
        },
        compose: async (ctx: PhaseContext) => {
          const busy = await portsDuringReset;
          const moved = busy?.length === 0 ? 0 : await freeShift(env, deps.portFree);
          if (moved > 0) {
            shift = moved;
            ctx.note(`a planned port was busy: ports moved up ${moved * env.input.block.envCount} blocks`);
          }
          return composeUp(ctx);
        },
        deploy,
        test: (ctx: PhaseContext) => test(ctx, progress),
      }[step];
      const result = await runPhase(step, env.timeouts[step], run.signal, body);
      phases.push(result);
      if (result.status !== 'passed') {
        // --fail-fast: cancel the others now, not after this env's capture and teardown.
        if (result.status === 'failed' && settings.failFast) run.abort();
        status = result.status === 'cancelled' ? 'cancelled' : 'failed';
        error = `${step}: ${result.error}`;
        if (result.status === 'cancelled') error = 'cancelled';
      }
    }
    Object.assign(counts, progress.counts);

    let composeLog: string | null = null;
    if (status === 'failed' && composeStarted && compose) {
      const timer = new AbortController();
      const t = setTimeout(() => timer.abort(), CAPTURE_TIMEOUT_MS);
      const onHard = () => timer.abort();
      hard.addEventListener('abort', onHard, { once: true });
      if (await captureCompose(makeContext('compose', timer.signal), env.composeLog)) {
        composeLog = env.composeLog;
        logLine(`# compose state and container logs: ${env.composeLog}`);
      }
      clearTimeout(t);
      hard.removeEventListener('abort', onHard);
    }
    const teardown =
      compose &&
      composeStarted &&
      ((settings.cleanup && !(settings.keepFailed && status === 'failed')) || status === 'cancelled');
    if (teardown) {
      const result = await runPhase('cleanup', env.timeouts.reset, hard, down);
      phases.push(result);
      if (result.status === 'failed' && status === 'passed') {
        status = 'failed';
        error = `cleanup: ${result.error}`;
      }
    } else if (settings.cleanup && compose && composeStarted) {
      logLine('# kept up for inspection (--keep-failed)');
    }

    const durationMs = deps.now() - envStart;
    logLine(`# env ${env.name} ${status} (${formatDuration(durationMs)})${error ? `: ${error}` : ''}`);
    await log.close();
    bus.emit({ type: 'env_end', env: env.name, status, durationMs, ...(error ? { error } : {}) });
    return {
      ...base,
      status,
      durationMs,
      error,
      composeLog,
      junit: phases.some((p) => p.name === 'test' && (p.status === 'passed' || p.status === 'failed')) ? env.junit : null,
      tail: tailOf(ring, written),
    };
  }
}

/** Same variables and values (undefined counts as none). */
function sameVars(a: Vars | undefined, b: Vars | undefined): boolean {
  if (a === b) return true;
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
}

/** Lines (`raw`: them joined by LF) masked in one pass: their log text (each line LF-terminated) and the lines. */
function maskLines(masker: Masker, lines: readonly string[], raw: string): { text: string; lines: readonly string[] } {
  const masked = masker.mask(raw);
  // When nothing was masked, the lines are the ones that came in.
  return { text: masked + '\n', lines: masked === raw ? lines : masked.split('\n') };
}

/** The ring's lines, oldest first: the last min(written, size) lines written. */
function tailOf(ring: readonly string[], written: number): string[] {
  const kept = Math.min(written, ring.length);
  return Array.from({ length: kept }, (_, i) => ring[(written - kept + i) % ring.length]!);
}
