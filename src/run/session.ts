// One env, start to end: its log, its phases in order (each on a frozen binding of its
// variables; a phase that learns new ports hands back a new one), the capture of its
// containers when it failed, its teardown, and its result. Every line it prints is in its
// log; every step is an event.
import type { EnvResult, PhaseId, PhaseResult, Status } from '../events';
import { duration } from '../format';
import { Masker } from '../mask';
import { planned } from '../plan/bind';
import { PHASES, type PhaseName } from '../plan/phases';
import type { EnvPlan } from '../plan/types';
import { PytestProgress } from '../phases/pytest-progress';
import { captureOnFailure } from './capture';
import { removeStale } from '../io/files';
import { EnvLog } from './env-log';
import { EnvRun } from './env-run';
import type { SuiteState } from './suite-state';
import { teardownOf } from './teardown';

export class EnvSession {
  private readonly phases: PhaseResult[] = [];
  private readonly progress = new PytestProgress();
  private status: Status = 'passed';
  private error: string | null = null;
  private composeStarted = false;
  private logWritten = false;
  private tornDown = false;
  private readonly started: number;
  /** The env's secrets (and the shell's): its log and its lines are masked with it. */
  private readonly masker: Masker;

  constructor(
    private readonly env: EnvPlan,
    private readonly suite: SuiteState,
  ) {
    this.started = suite.deps.now();
    this.masker = Masker.forVars(suite.plan.base, env.env);
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
    this.logWritten = true;
    log.line(`# esb-e2e: env ${env.name}, started ${new Date(this.started).toISOString()}`);
    // What an earlier run left for this env must not pass for this run's.
    removeStale([env.junit, env.composeLog]);
    const binding = planned(suite.plan, env);
    const run = new EnvRun(env, suite, log, binding, this.progress, this.masker);
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
    this.tornDown = result.status === 'passed';
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
    log?.line(`# env ${this.env.name} ${this.status} (${duration(durationMs)})${error ? `: ${this.masker.mask(error)}` : ''}`);
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
      log: this.logWritten ? this.env.log : null,
      composeLog: null,
      junit: tested ? this.env.junit : null,
      tail: [],
      leftUp: this.composeStarted && !this.tornDown ? this.env.project : null,
      ...extra,
    };
  }
}
