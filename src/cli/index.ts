// Commander wiring only: the commands and their flags, errors -> exit codes. process.env
// arrives here once, as `io.env`, and is passed on as data; nothing here runs a process.
import { Command, CommanderError } from 'commander';
import { ConfigError, UsageError } from '../errors';
import { Masker, isSecretKey } from '../mask';
import { VERSION, type Io } from './io';
import { addDown } from './down';
import { addPlan, type Action } from './plan';
import { addReport } from './report';
import { addRun } from './run';

export { VERSION, type Io, type RunRequest } from './io';

/** Runs the CLI; resolves to the exit code. Never calls process.exit. */
export async function main(io: Io): Promise<number> {
  const argv = [...io.argv];
  const dashdash = argv.indexOf('--');
  const pytestArgs = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  let action: Action | undefined;
  const setAction = (a: Action) => void (action = a);
  const program = new Command('esb-e2e')
    .description('Run the E2E tests of an ESB project: compose up -> esb deploy -> pytest, per environment, in parallel.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'esb-e2e: ')),
    });
  addPlan(program, io, pytestArgs, setAction);
  addRun(program, io, pytestArgs, setAction);
  addReport(program, io, pytestArgs, setAction);
  addDown(program, io, pytestArgs, setAction);
  try {
    await program.parseAsync(own, { from: 'user' });
    if (action) return await action();
    if (pytestArgs.length || own.length) throw new UsageError(`unknown command "${own[0] ?? '--'}" (known: run, plan, down, report)`);
    program.outputHelp({ error: true });
    return 2;
  } catch (error) {
    return exitCodeOfError(error, io);
  }
}

/** The secrets the command line knows before any plan: the environment's, and `--set` values of secret keys. */
export function cliMasker(io: Pick<Io, 'env' | 'argv'>): Masker {
  const set: Record<string, string> = {};
  for (const arg of io.argv) {
    const m = /^(?:--set=)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
    if (m && isSecretKey(m[1]!)) set[m[1]!] = m[2]!;
  }
  return Masker.forVars(io.env, set);
}

/** Usage and config errors: their message (secrets masked), exit 2; anything else is not ours to map. */
function exitCodeOfError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    // Help shown because something was missing (`esb-e2e report` without its subcommand) is an error.
    if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
    return 2;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`esb-e2e: ${cliMasker(io).mask(error.message)}\n`);
    return error.exitCode;
  }
  throw error;
}
