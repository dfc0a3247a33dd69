// A program looked up as a shell would (`which`): a path with a slash as it is, else the
// first executable regular file of that name in PATH's folders.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The program's absolute path, or undefined when it is not there or not executable. */
export function which(program: string, path: string | undefined, cwd: string): string | undefined {
  if (program.includes('/')) {
    const abs = isAbsolute(program) ? program : resolve(cwd, program);
    return executable(abs) ? abs : undefined;
  }
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(isAbsolute(dir) ? dir : resolve(cwd, dir), program);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}
