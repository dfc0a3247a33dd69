// The executable's edge: reads process.argv and process.env once, wires the real
// effects (disk, randomness, clock, runner) into the CLI, and sets the exit code only
// after stdout has drained, so piped output is never cut short.
import { randomBytes } from 'node:crypto';
import { main, type Io } from './cli/index';
import { gitSha } from './io/git';
import { diskReader } from './io/reader';

const env = { ...process.env };

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
};

main(io).then(
  (code) => finish(code),
  (error: unknown) => {
    process.stderr.write(`esb-e2e: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    finish(70);
  },
);

function finish(code: number): void {
  // An empty write's callback fires once everything queued before it is flushed.
  process.stdout.write('', () => {
    process.exitCode = code;
  });
}
