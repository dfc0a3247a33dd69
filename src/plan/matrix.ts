// The matrix file: YAML text -> zod-validated `Matrix` (every problem at once, each naming
// the file and the YAML path), plus the checks that need the project's files (paths exist,
// suites known, names unique). Loads the new shape and the legacy ESB
// `e2e/environments/test_matrix.yaml` unchanged.
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import type * as z from '../zod';
import { ConfigError, nearest, unknownName } from '../errors';
import { whyUnreadable, type ProjectReader } from '../io/reader';
import { KNOWN_KEYS, RESERVED, matrixSchema, type Matrix } from './matrix-schema';

/** Alias expansions a matrix may use (a YAML alias bomb expands to billions). */
const MAX_ALIASES = 1000;

/** A matrix with its file, its folder (base of every path in it) and env names resolved. */
export interface LoadedMatrix {
  readonly file: string;
  readonly dir: string;
  readonly matrix: Matrix;
  /** One per matrix entry, in file order: the name (`env` or legacy `esb_env`). */
  readonly names: readonly string[];
}

/** `matrix[1].suites[0]` */
export function yamlPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

function keysAt(path: readonly PropertyKey[]): readonly string[] | undefined {
  const p = path.map((x) => (typeof x === 'number' ? '#' : String(x)));
  const last = p[p.length - 1];
  if (p.length === 0) return KNOWN_KEYS.top;
  if (p[0] === 'suites' && p.length === 2) return KNOWN_KEYS.suite;
  if (p[0] === 'matrix' && p.length === 2) return KNOWN_KEYS.env;
  if (p[0] === 'defaults' && p.length === 1) return KNOWN_KEYS.defaults;
  if (p[0] === 'infra' && p.length === 1) return KNOWN_KEYS.infra;
  if (p[0] === 'published_ports') return KNOWN_KEYS.published;
  if (last === 'timeouts') return KNOWN_KEYS.timeouts;
  if (p[p.length - 2] === 'wait') return KNOWN_KEYS.wait;
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(issue.path) ?? [];
    return issue.keys
      .map((key) => {
        const guess = nearest(key, known);
        return `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''} (known: ${known.join(', ')})`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type') {
    const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'a list' : typeof issue.input;
    return issue.message.startsWith('Invalid input') ? `expected ${issue.expected}, got ${got}` : `${issue.message}, got ${got}`;
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`;
  }
  if (issue.code === 'invalid_union' && issue.path[0] === 'infra') return 'expected an infra mapping or false';
  return `${issue.message}${gotValue(issue.input)}`;
}

/** ` (got "../x")`: the value a message is about, when it is one to show (short, and not a mapping or list). */
function gotValue(input: unknown): string {
  if (typeof input === 'string') return ` (got ${JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)})`;
  if (typeof input !== 'number' && typeof input !== 'boolean') return '';
  return ` (got ${JSON.stringify(input)})`;
}

function fail(file: string, problems: string[]): never {
  const max = 10;
  const shown = problems.slice(0, max).map((p) => `${file}: ${p}`);
  if (problems.length > max) shown.push(`... and ${problems.length - max} more`);
  throw new ConfigError(shown.join('\n'));
}

/** Parse and validate the text of a matrix file (no file checks). */
export function parseMatrix(text: string, file: string): { matrix: Matrix; names: string[] } {
  const parsed = matrixSchema.safeParse(readYaml(text, file), { reportInput: true });
  if (!parsed.success) fail(file, parsed.error.issues.map((issue) => `${yamlPath(issue.path)}: ${describeIssue(issue)}`));
  const matrix = parsed.data;
  const { names, problems } = envNames(matrix);
  const knownSuites = Object.keys(matrix.suites);
  matrix.matrix.forEach((entry, i) => {
    entry.suites.forEach((s, j) => {
      if (!Object.hasOwn(matrix.suites, s)) problems.push(`matrix[${i}].suites[${j}]: ${unknownName('suite', s, knownSuites)}`);
    });
  });
  if (problems.length) fail(file, problems);
  return { matrix, names };
}

/** YAML text -> plain data, or every syntax error with its line and column. */
function readYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    fail(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
        return `${where}not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  if (doc.contents === null) fail(file, ['is empty: expected a mapping with `suites` and `matrix`']);
  if (isSeq(doc.contents)) fail(file, ['top level is a list: expected a mapping with `suites` and `matrix`']);
  if (!isMap(doc.contents)) fail(file, ['top level is not a mapping: expected `suites` and `matrix` keys']);
  try {
    // Aliases are expanded here: a file that repeats one alias past this count is a bomb, not a matrix.
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // An alias bomb, or nesting deeper than the stack: the file is refused, whatever it says.
    const what = error instanceof RangeError ? 'it nests too deeply' : `it repeats an alias too often (over ${MAX_ALIASES} expansions)`;
    fail(file, [`refused: ${what}`]);
  }
}

/** Each entry's name (`env`, or legacy `esb_env`), and what is wrong with them. */
function envNames(matrix: Matrix): { names: string[]; problems: string[] } {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const names = matrix.matrix.map((entry, i) => {
    if (entry.env && entry.esb_env && entry.env !== entry.esb_env) {
      problems.push(`matrix[${i}]: both "env" and "esb_env" are set and differ; keep one`);
    }
    const name = entry.env ?? entry.esb_env;
    if (!name) problems.push(`matrix[${i}]: the env has no name (set "env:", or legacy "esb_env:")`);
    else if (RESERVED.includes(name)) problems.push(`matrix[${i}].env: "${name}" is reserved for esb-e2e's own lines ([${name}] ...); pick another name`);
    else if (seen.has(name)) problems.push(`matrix[${i}].env: duplicate env "${name}" (also matrix[${seen.get(name)}])`);
    else seen.set(name, i);
    return name ?? '';
  });
  return { names, problems };
}

/** Read, parse and check a matrix file against the project's files. */
export function loadMatrix(abs: string, reader: ProjectReader, file = abs): LoadedMatrix {
  const kind = reader.kind(abs);
  if (kind === undefined) throw new ConfigError(`${file}: matrix file not found`);
  if (kind !== 'file') throw new ConfigError(`${file}: matrix is not a file`);
  let text: string;
  try {
    text = reader.readText(abs);
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the matrix: ${whyUnreadable(error)}`);
  }
  const { matrix, names } = parseMatrix(text, file);
  const loaded: LoadedMatrix = { file, dir: dirname(abs), matrix, names };
  checkFiles(loaded, reader);
  return loaded;
}

/** Paths every env needs, resolved against the matrix folder. */
export interface EnvPaths {
  envDir: string;
  composeFiles: string[];
  envFile: string | undefined;
}

export function envPaths(loaded: LoadedMatrix, index: number, reader: ProjectReader): EnvPaths {
  const entry = loaded.matrix.matrix[index]!;
  const name = loaded.names[index]!;
  const envDir = resolve(loaded.dir, entry.env_dir ?? name);
  const composeFiles = (entry.compose_files ?? ['docker-compose.yml']).map((f) =>
    entry.compose_files ? resolve(loaded.dir, f) : resolve(envDir, f),
  );
  let envFile: string | undefined;
  if (entry.env_file) envFile = resolve(loaded.dir, entry.env_file);
  // A `.env` that is there but is not a file (a folder, a FIFO) is an error, not skipped.
  else if (reader.kind(resolve(envDir, '.env')) !== undefined) envFile = resolve(envDir, '.env');
  return { envDir, composeFiles, envFile };
}

function checkFiles(loaded: LoadedMatrix, reader: ProjectReader): void {
  const { matrix, file } = loaded;
  const problems: string[] = [];
  const need = (where: string, p: string, what: string, want: 'file' | 'dir' | 'any') => {
    const kind = reader.kind(p);
    if (kind === undefined) problems.push(`${where}: ${what} not found: ${p}`);
    else if (want !== 'any' && kind !== want) problems.push(`${where}: ${what} is not a ${want === 'dir' ? 'folder' : 'file'}: ${p}`);
  };
  for (const [name, s] of Object.entries(matrix.suites)) {
    s.targets.forEach((t, j) => need(`suites.${name}.targets[${j}]`, resolve(loaded.dir, t), 'test target', 'any'));
  }
  matrix.matrix.forEach((entry, i) => {
    const paths = envPaths(loaded, i, reader);
    const dirKey = entry.env_dir ? `matrix[${i}].env_dir` : `matrix[${i}] (env_dir defaults to the env name)`;
    need(dirKey, paths.envDir, 'env dir', 'dir');
    if (reader.kind(paths.envDir) === 'dir' || entry.compose_files) {
      paths.composeFiles.forEach((f, j) =>
        need(entry.compose_files ? `matrix[${i}].compose_files[${j}]` : `matrix[${i}]`, f, 'compose file', 'file'),
      );
    }
    if (paths.envFile) need(entry.env_file ? `matrix[${i}].env_file` : `matrix[${i}] (the .env of its env dir)`, paths.envFile, 'env file', 'file');
  });
  if (matrix.infra) need('infra.compose_file', resolve(loaded.dir, matrix.infra.compose_file), 'infra compose file', 'file');
  if (problems.length) fail(file, problems);
}
