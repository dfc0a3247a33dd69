// One env, start to end: its log, its phases in order (each on a frozen binding of its
// variables; a phase that learns new ports hands back a new one), the capture of its
// containers when it failed, its teardown, and its result. Every line it prints is in its
// log; every step is an event.
import type { EnvResult, EventBus, PhaseId, PhaseResult, Status } from '../events';
import { duration } from '../format';
import type { DockerApi } from '../io/docker-api';
import { Masker } from '../mask';
import { planned, type Binding } from '../plan/bind';
import { PHASES, type PhaseName } from '../plan/phases';
import type { EnvPlan, Plan } from '../plan/types';
import type { ComposeCli } from '../phases/compose-cli';
import { composeUp } from '../phases/compose-up';
import type { PhaseContext, PhaseOutcome } from '../phases/context';
import { deploy } from '../phases/deploy';
import { down } from '../phases/down';
import { PytestProgress } from '../phases/pytest-progress';
import { reset } from '../phases/reset';
import { test } from '../phases/test';
import { captureOnFailure } from './capture';
import { EnvCommands } from './commands';
import type { RunnerDeps } from './deps';
import type { Engines } from './engines';
import { EnvLog } from './env-log';
import type { RunOptions } from './options';
import { PhaseRunner } from './phase-runner';
import { PortBinder } from './ports';
import { teardownOf } from './teardown';

/** What every env of a suite shares. */
export interface SuiteState {
  readonly plan: Plan;
  readonly options: RunOptions;
  readonly bus: EventBus;
  readonly deps: RunnerDeps;
  readonly engines: Engines;
  /** Aborts when the run is cancelled (a signal, --fail-fast). */
  readonly cancel: AbortSignal;
  /** Aborts cleanup too (a second Ctrl-C). */
  readonly hard: AbortSignal;
  /** The compose CLI, when the suite's set-up found one. */
  readonly compose: ComposeCli | undefined;
  /** Why the suite's set-up failed (every env fails with it), or null. */
  readonly setupError: string | null;
  /** --fail-fast: cancel the others now. */
  failFast(): void;
}

const STEPS: Readonly<Record<PhaseName, (ctx: PhaseContext, progress: PytestProgress) => Promise<PhaseOutcome>>> = {
  reset: (ctx) => reset(ctx),
  compose: (ctx) => composeUp(ctx),
  deploy: (ctx) => deploy(ctx),
  test: (ctx, progress) => test(ctx, progress),
};

export class EnvSession {
  private readonly phases: PhaseResult[] = [];
  private readonly progress = new PytestProgress();
  private status: Status = 'passed';
  private error: string | null = null;
  private composeStarted = false;
  private readonly started: number;

  constructor(
    private readonly env: EnvPlan,
    private readonly suite: SuiteState,
  ) {
    this.started = suite.deps.now();
  }

  async run(): Promise<EnvResult> {
    const { env, suite } = this;
    if (suite.cancel.aborted) return this.notStarted();
    suite.bus.emit({ type: 'env_start', env: env.name });
    let log: EnvLog;
    try {
      log = await EnvLog.open(env.log);
    } catch (e) {
      this.skipAll();
      return this.end(null, `cannot write its log ${env.log}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    log.line(`# esb-e2e: env ${env.name}, started ${new Date(this.started).toISOString()}`);
    const binding = planned(suite.plan, env);
    const run = new EnvRun(env, suite, log, binding, this.progress);
    await this.steps(run);
    // The tail of a failure is the failed phase's last lines, not the capture's or teardown's.
    const tail = this.status === 'passed' ? undefined : log.tail();
    const composeLog = this.status === 'failed' && this.composeStarted && suite.compose ? await captureOnFailure(env, suite.hard, (s) => run.context('compose', s)) : null;
    await this.teardown(run);
    return this.end(log, this.error, { composeLog, tail: tail ?? log.tail() });
  }

  private async steps(run: EnvRun): Promise<void> {
    for (const step of PHASES) {
      if (this.env.phases[step] === 'skip') {
        const reason = step === 'test' ? '--build-only' : '--test-only';
        this.suite.bus.emit({ type: 'phase_skip', env: this.env.name, phase: step, reason });
        run.commands.trace(`${step} skipped (${reason})`);
        this.skipped(step);
      } else if (this.status !== 'passed') {
        this.skipped(step);
      } else if (this.suite.cancel.aborted) {
        [this.status, this.error] = ['cancelled', 'cancelled'];
        this.skipped(step);
      } else if (this.suite.setupError !== null) {
        this.setupFailed(step, run);
      } else {
        if (step === 'compose') this.composeStarted = true;
        this.record(step, (await run.phase(step, this.env.timeouts[step], this.suite.cancel)).result);
      }
    }
  }

  private record(step: PhaseId, result: PhaseResult): void {
    this.phases.push(result);
    if (result.status === 'passed') return;
    // --fail-fast: cancel the others now, not after this env's capture and teardown.
    if (result.status === 'failed' && this.suite.options.failFast) this.suite.failFast();
    this.status = result.status === 'cancelled' ? 'cancelled' : 'failed';
    this.error = result.status === 'cancelled' ? 'cancelled' : `${step}: ${result.error}`;
  }

  private setupFailed(step: PhaseName, run: EnvRun): void {
    const error = this.suite.setupError!;
    [this.status, this.error] = ['failed', error];
    run.commands.trace(error);
    this.phases.push({ name: step, status: 'failed', durationMs: 0, error });
    this.suite.bus.emit({ type: 'phase_end', env: this.env.name, phase: step, status: 'failed', durationMs: 0, error });
  }

  private async teardown(run: EnvRun): Promise<void> {
    if (!this.suite.compose) return;
    const what = teardownOf(this.suite.options, this.status, this.composeStarted);
    if (what === 'keep-failed') run.commands.trace('kept up for inspection (--keep-failed)');
    if (what !== 'down') return;
    const { result } = await run.phase('cleanup', this.env.timeouts.reset, this.suite.hard);
    this.phases.push(result);
    if (result.status === 'failed' && this.status === 'passed') [this.status, this.error] = ['failed', `cleanup: ${result.error}`];
  }

  private skipped(step: PhaseName): void {
    this.phases.push({ name: step, status: 'skipped', durationMs: 0, error: null });
  }

  private skipAll(): void {
    for (const name of PHASES) this.skipped(name);
  }

  private notStarted(): EnvResult {
    this.skipAll();
    this.status = 'cancelled';
    const error = 'cancelled before it started';
    this.suite.bus.emit({ type: 'env_end', env: this.env.name, status: 'cancelled', durationMs: 0, error });
    return this.result(0, error, {});
  }

  private async end(log: EnvLog | null, error: string | null, extra: Partial<EnvResult> = {}): Promise<EnvResult> {
    if (!log) this.status = 'failed';
    const durationMs = this.suite.deps.now() - this.started;
    log?.line(`# env ${this.env.name} ${this.status} (${duration(durationMs)})${error ? `: ${error}` : ''}`);
    await log?.close();
    this.suite.bus.emit({ type: 'env_end', env: this.env.name, status: this.status, durationMs, ...(error ? { error } : {}) });
    return this.result(durationMs, error, extra);
  }

  private result(durationMs: number, error: string | null, extra: Partial<EnvResult>): EnvResult {
    const tested = this.phases.some((p) => p.name === 'test' && (p.status === 'passed' || p.status === 'failed'));
    return {
      name: this.env.name,
      status: this.status,
      durationMs,
      error,
      phases: this.phases,
      tests: { ...this.progress.counts },
      log: this.env.log,
      composeLog: null,
      junit: tested ? this.env.junit : null,
      tail: [],
      ...extra,
    };
  }
}

/** An env once its log is open: its commands, its phases, and its binding as phases hand it on. */
class EnvRun {
  readonly commands: EnvCommands;
  private readonly runner: PhaseRunner;
  private readonly ports: PortBinder;
  private engine: Promise<DockerApi | null> | undefined;

  constructor(
    private readonly env: EnvPlan,
    private readonly suite: SuiteState,
    log: EnvLog,
    private binding: Binding,
    private readonly progress: PytestProgress,
  ) {
    const masker = Masker.forVars(suite.plan.base, binding.vars);
    this.commands = new EnvCommands(env.name, suite.plan.root, log, suite.bus, masker, suite.deps);
    this.runner = new PhaseRunner(env.name, log, suite.bus, suite.deps);
    this.ports = new PortBinder(suite.plan, env, suite.deps.portFree);
  }

  /** Runs a phase (or `cleanup`, which is `down`) and keeps the binding it hands back. */
  async phase(step: PhaseId, timeoutS: number, parent: AbortSignal) {
    const ran = await this.runner.run(step, timeoutS, parent, (signal) => this.body(step, signal));
    if (ran.outcome.binding) this.binding = ran.outcome.binding;
    return ran;
  }

  private async body(step: PhaseId, signal: AbortSignal): Promise<PhaseOutcome> {
    if (step === 'cleanup') return down(this.context(step, signal));
    if (step === 'reset') this.ports.checkDuringReset((line) => this.commands.trace(line));
    if (step === 'compose') this.binding = await this.ports.bind(this.binding, (line) => this.commands.note(step, line));
    return STEPS[step](this.context(step, signal), this.progress);
  }

  /** A phase's view of the env, on the current binding. */
  context(phase: PhaseId, signal: AbortSignal, binding = this.binding): PhaseContext {
    const { commands, suite, env } = this;
    return {
      plan: suite.plan,
      env,
      options: suite.options,
      compose: suite.compose!,
      signal,
      binding,
      rebind: (next) => this.context(phase, signal, next),
      engine: () => this.engineOf(),
      run: (argv, opts) => commands.run(phase, signal, binding.vars, argv, opts),
      note: (line) => commands.note(phase, line),
      trace: (line) => commands.trace(line),
      progress: (current, total) => suite.bus.emit({ type: 'phase_progress', env: env.name, phase, current, total }),
      wait: (url, ms) => suite.deps.wait(url, ms, signal),
      mask: (text) => commands.masker.mask(text),
    };
  }

  /** Looked up on the first question, so the env's first command does not wait for it. */
  private engineOf() {
    this.engine ??= !this.suite.plan.dockerApi
      ? Promise.resolve(null)
      : this.suite.engines.of(this.binding.vars, this.env.dockerContext).then((api) => {
          if (typeof api !== 'string') return api;
          this.commands.trace(api);
          return null;
        });
    return this.engine;
  }
}
