// How an env runs a command: the command line shown (masked) in its log and as an event,
// every line the child prints masked and written to the log and the reporters a chunk at a
// time, reading paused while either is backed up; the same for esb-e2e's own lines.
import type { EventBus, PhaseId } from '../events';
import type { ExecResult } from '../exec';
import { quoteArgv } from '../format';
import type { Masker } from '../mask';
import type { Vars } from '../plan/env';
import type { RunOpts } from '../phases/context';
import type { RunnerDeps } from './deps';
import type { EnvLog } from './env-log';

export class EnvCommands {
  constructor(
    private readonly env: string,
    private readonly root: string,
    private readonly log: EnvLog,
    private readonly bus: EventBus,
    readonly masker: Masker,
    private readonly deps: RunnerDeps,
  ) {}

  private readonly pressure = () => {
    const a = this.log.pressure();
    const b = this.bus.pressure();
    return a && b ? Promise.all([a, b]).then(() => undefined) : (a ?? b);
  };

  async run(phase: PhaseId, signal: AbortSignal, vars: Readonly<Vars>, argv: readonly string[], opts: RunOpts = {}): Promise<ExecResult> {
    const { env, log, bus, masker } = this;
    const shown = masker.mask(quoteArgv(argv));
    log.line(`$ ${shown}`);
    if (!opts.quiet) bus.emit({ type: 'command', env, phase, command: shown });
    const result = await this.deps.exec(
      { argv, env: opts.env ? { ...vars, ...opts.env } : vars, cwd: this.root, ...(opts.setting ? { setting: opts.setting } : {}) },
      {
        signal,
        capture: opts.capture ?? false,
        pressure: this.pressure,
        guard: masker,
        onLines: (lines, raw, ascii) => {
          const masked = masker.maskChunk(lines, raw);
          log.lines(masked.text, masked.lines, ascii);
          opts.onLines?.(lines, raw);
          if (!opts.quiet) bus.emit({ type: 'output', env, phase, lines: masked.lines, ascii });
        },
      },
    );
    // The reason may name the program or an argument: masked like everything else.
    if (!result.ok && result.reason) log.line(`# ${masker.mask(result.reason)}`);
    return result;
  }

  /** A line of esb-e2e's own, to the log and the console (verbose); masked, as it may hold a URL with credentials. */
  note(phase: PhaseId, line: string): void {
    const shown = `# ${this.masker.mask(line)}`;
    this.log.line(shown);
    this.bus.emit({ type: 'output', env: this.env, phase, lines: [shown] });
  }

  /** A line of esb-e2e's own, to the log only (masked). */
  trace(line: string): void {
    this.log.line(`# ${this.masker.mask(line)}`);
  }
}
