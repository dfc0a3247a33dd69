// After a failure: the state and logs of an env's containers (`ps --all`, `logs --no-color
// --timestamps`), captured into its .compose.log before any cleanup takes them down.
import { writeFileAtomic } from '../io/files';
import { composeArgv } from './compose-cli';
import type { PhaseContext } from './context';

/** True when the file was written. */
export async function captureCompose(ctx: PhaseContext, file: string): Promise<boolean> {
  const parts: string[] = [];
  for (const args of [['ps', '--all'], ['logs', '--no-color', '--timestamps']]) {
    const argv = composeArgv(ctx.compose, ctx.plan, ctx.env, ...args);
    const result = await ctx.run(argv, { capture: true, quiet: true });
    parts.push(`$ ${argv.join(' ')}\n${result.stdout}${result.ok ? '' : `(${result.reason})\n`}`);
  }
  try {
    writeFileAtomic(file, ctx.mask(parts.join('\n')));
    return true;
  } catch {
    return false;
  }
}
