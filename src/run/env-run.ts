// An env once its log is open: its commands, its phases (each on the binding the one
// before it handed on: the busy-port move before compose, the ports compose found), and
// the context each phase is given.
import type { PhaseId } from '../events';
import type { DockerApi } from '../io/docker-api';
import type { Masker } from '../mask';
import type { Binding } from '../plan/bind';
import type { PhaseName } from '../plan/phases';
import type { EnvPlan } from '../plan/types';
import { composeUp } from '../phases/compose-up';
import type { PhaseContext, PhaseOutcome } from '../phases/context';
import { down } from '../phases/down';
import type { PytestProgress } from '../phases/pytest-progress';
import { reset } from '../phases/reset';
import { stepsOf } from '../phases/steps';
import { test } from '../phases/test';
import { EnvCommands } from './commands';
import type { EnvLog } from './env-log';
import { PhaseRunner } from './phase-runner';
import { PortBinder } from './ports';
import type { SuiteState } from './suite-state';

const STEPS: Readonly<Record<PhaseName, (ctx: PhaseContext, progress: PytestProgress) => Promise<PhaseOutcome>>> = {
  reset: (ctx) => reset(ctx),
  compose: (ctx) => composeUp(ctx),
  deploy: (ctx) => stepsOf(ctx).deploy(ctx),
  test: (ctx, progress) => test(ctx, progress),
};

/** An env once its log is open: its commands, its phases, and its binding as phases hand it on. */
export class EnvRun {
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
    masker: Masker,
  ) {
    this.commands = new EnvCommands(env.name, suite.plan.root, log, suite.bus, masker, suite.deps);
    this.runner = new PhaseRunner(env.name, log, suite.bus, suite.deps, (text) => masker.mask(text));
    this.ports = new PortBinder(suite.plan, env, suite.deps.portFree);
  }

  /** Runs a phase (or `cleanup`, which is `down`) and keeps the binding it hands back. */
  async phase(step: PhaseId, timeoutS: number, parent: AbortSignal) {
    const ran = await this.runner.run(step, timeoutS, parent, (signal) => this.body(step, signal));
    if (ran.outcome.binding) this.binding = ran.outcome.binding;
    return ran;
  }

  private async body(step: PhaseId, signal: AbortSignal): Promise<PhaseOutcome> {
    if (step === 'cleanup') return down(this.context(step, signal), stepsOf(this.suite).cleanup);
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
      progress: (current, t) =>
        suite.bus.emit({ type: 'phase_progress', env: env.name, phase, current, total: t.collected, passed: t.passed, failed: t.failed + t.errors }),
      once: (key, work) => suite.once(key, work),
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
