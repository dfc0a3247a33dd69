// The executable's edge: reads process.argv and process.env once, wires the real
// effects (disk, randomness, clock, runner) into the CLI, and sets the exit code only
// after stdout has drained, so piped output is never cut short.
import { randomBytes } from 'node:crypto';
import { cliMasker, main, type Io } from './cli/index';
import { gitSha } from './io/git';
import { diskReader } from './io/reader';

const env = { ...process.env };
// A console whose reader is gone (EPIPE: `esb-e2e run | head`) or that is full (ENOSPC)
// must not end the process with a stack trace: the writers that need to know listen
// themselves (src/io/console.ts); these keep the error from being fatal everywhere else.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const io: Io = {
  argv: process.argv.slice(2),
  env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  context: (root, base) => ({
    root,
    base,
    reader: diskReader,
    random: (bytes) => randomBytes(bytes).toString('hex'),
    now: new Date(),
    gitSha: gitSha(root, base, diskReader),
  }),
  // Loaded on first use: `plan` and `--version` never evaluate the runner.
  run: (...args) => import('./run/command').then((m) => m.runCommand(...args)),
  down: (...args) => import('./run/command').then((m) => m.downCommand(...args)),
  proxyHost: (...args) => import('./run/command').then((m) => m.proxyHost(...args)),
};

main(io).then(
  (code) => finish(code),
  (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`esb-e2e: internal error: ${cliMasker(io).mask(text)}\n`);
    finish(70);
  },
);

function finish(code: number): void {
  // The process ends once what is queued on stdout is written: never cut short by an exit.
  process.exitCode = code;
}
