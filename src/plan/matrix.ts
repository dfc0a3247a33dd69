// The matrix file: YAML text -> zod-validated `Matrix` (every problem at once, each naming
// the file and the YAML path), plus the checks that need the project's files (paths exist,
// suites known, names unique). Loads the new shape and the legacy ESB
// `e2e/environments/test_matrix.yaml` unchanged.
import { dirname, resolve } from 'node:path';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type * as z from '../zod';
import { ConfigError, nearest, unknownName } from '../errors';
import { REMOVED_KEYS, layoutCheck, type GenerationName } from '../esb/generation';
import { whyUnreadable, type ProjectReader } from '../io/reader';
import { KNOWN_KEYS, RESERVED, matrixSchema, type Matrix } from './matrix-schema';
import { placeOf, type Place } from './yaml-place';

/** Alias expansions a matrix may use (a YAML alias bomb expands to billions). */
const MAX_ALIASES = 1000;

/** A matrix with its file, its folder (base of every path in it) and env names resolved. */
export interface LoadedMatrix {
  readonly file: string;
  readonly dir: string;
  readonly matrix: Matrix;
  /** One per matrix entry, in file order: the name (`env` or legacy `esb_env`). */
  readonly names: readonly string[];
  /** Where a YAML path is in the file (`file:line:col`), for messages. */
  readonly at: Place;
  /** Which ESB layout it is for. */
  readonly generation: GenerationName;
}

/** A problem at a YAML path (null: the whole file), said as `file:line:col: path (note): text`. */
type Problem = readonly [path: readonly PropertyKey[] | null, text: string, note?: string, missing?: boolean];

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
        const removed = keysAt(issue.path) === KNOWN_KEYS.env ? REMOVED_KEYS[key] : undefined;
        if (removed) return `"${key}" is no longer supported: ESB's current runner refuses it (${removed})`;
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

const nowhere = Object.assign(() => '', { offset: () => 0 }) as Place;

/**
 * Every problem as `file:line:col: path: text`, in the order of the file: what comes first
 * is read first. A missing key counts as at the end of its mapping, after what is wrong
 * inside it (a typo in a key name is the cause; the key it should have been, the symptom).
 */
function fail(file: string, problems: readonly Problem[], at: Place = nowhere): never {
  const max = 10;
  const placed = problems.map(([path, text, note, missing]) => ({
    order: path ? (missing ? at.offset(path.slice(0, -1), true) : at.offset(path)) : -1,
    line: path ? `${at(path) || file}: ${yamlPath(path)}${note ? ` ${note}` : ''}: ${text}` : `${file}: ${text}`,
  }));
  const lines = placed.sort((a, b) => a.order - b.order).map((p) => p.line);
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`... and ${lines.length - max} more`);
  throw new ConfigError(shown.join('\n'));
}

/**
 * Parse and validate the text of a matrix file (no file checks). `forced`: the layout it is
 * for (`--esb`), over the matrix's own `esb_layout` and what its entries tell.
 */
export function parseMatrix(text: string, file: string, forced?: GenerationName): { matrix: Matrix; names: string[]; at: Place; generation: GenerationName } {
  const { data, at } = readYaml(text, file);
  const parsed = matrixSchema.safeParse(data, { reportInput: true });
  // What the layout asks of each entry is told alongside the schema's problems (all at once).
  const checked = layoutCheck(data, forced);
  const layoutProblems = checked.problems.map(([path, text, missing]): Problem => [path, text, undefined, missing]);
  const generation = checked.generation;
  if (!parsed.success) fail(file, [...parsed.error.issues.map(issueProblem), ...layoutProblems], at);
  const matrix = parsed.data;
  const { names, problems } = envNames(matrix);
  problems.push(...layoutProblems);
  const knownSuites = Object.keys(matrix.suites);
  matrix.matrix.forEach((entry, i) => {
    (entry.suites ?? []).forEach((s, j) => {
      if (!Object.hasOwn(matrix.suites, s)) problems.push([['matrix', i, 'suites', j], unknownName('suite', s, knownSuites)]);
    });
  });
  if (problems.length) fail(file, problems, at);
  return { matrix, names, at, generation };
}

/** A zod issue as a problem: an unknown key is placed at the key itself. */
function issueProblem(issue: z.core.$ZodIssue): Problem {
  const path = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0]!] : issue.path;
  return [path, describeIssue(issue), undefined, issue.code === 'invalid_type' && issue.input === undefined];
}

/** YAML text -> plain data and where each path is, or every syntax error with its line and column. */
function readYaml(text: string, file: string): { data: unknown; at: Place } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${pos ? `${file}:${pos.line}:${pos.col}` : file}: not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new ConfigError(problems.slice(0, 10).join('\n'));
  }
  if (doc.contents === null) fail(file, [[null, 'is empty: expected a mapping with `suites` and `matrix`']]);
  if (isSeq(doc.contents)) fail(file, [[null, 'top level is a list: expected a mapping with `suites` and `matrix`']]);
  if (!isMap(doc.contents)) fail(file, [[null, 'top level is not a mapping: expected `suites` and `matrix` keys']]);
  try {
    // Aliases are expanded here: a file that repeats one alias past this count is a bomb, not a matrix.
    return { data: doc.toJS({ maxAliasCount: MAX_ALIASES }), at: placeOf(doc, lines, file) };
  } catch (error) {
    // An alias bomb, or nesting deeper than the stack: the file is refused, whatever it says.
    const what = error instanceof RangeError ? 'it nests too deeply' : `it repeats an alias too often (over ${MAX_ALIASES} expansions)`;
    fail(file, [[null, `refused: ${what}`]]);
  }
}

/** Each entry's name (`env`, or legacy `esb_env`), and what is wrong with them. */
function envNames(matrix: Matrix): { names: string[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const names = matrix.matrix.map((entry, i) => {
    const key = entry.env !== undefined ? 'env' : 'esb_env';
    if (entry.env && entry.esb_env && entry.env !== entry.esb_env) problems.push([['matrix', i], 'both "env" and "esb_env" are set and differ; keep one']);
    const name = entry.env ?? entry.esb_env;
    if (!name) problems.push([['matrix', i], 'the env has no name (set "env:", or legacy "esb_env:")']);
    else if (RESERVED.includes(name)) problems.push([['matrix', i, key], `"${name}" is reserved for esb-e2e's own lines ([${name}] ...); pick another name`]);
    else if (seen.has(name)) problems.push([['matrix', i, key], `duplicate env "${name}" (also matrix[${seen.get(name)}])`]);
    else seen.set(name, i);
    return name ?? '';
  });
  return { names, problems };
}

/** Read, parse and check a matrix file against the project's files. */
export function loadMatrix(abs: string, reader: ProjectReader, file = abs, forced?: GenerationName): LoadedMatrix {
  const kind = reader.kind(abs);
  if (kind === undefined) throw new ConfigError(`${file}: matrix file not found`);
  if (kind !== 'file') throw new ConfigError(`${file}: matrix is not a file`);
  let text: string;
  try {
    text = reader.readText(abs);
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the matrix: ${whyUnreadable(error)}`);
  }
  const { matrix, names, at, generation } = parseMatrix(text, file, forced);
  const loaded: LoadedMatrix = { file, dir: dirname(abs), matrix, names, at, generation };
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
  // A `.env` that is there but is not a file (a folder, a FIFO) is an error, not skipped. The
  // current layout always hands compose the env's .env: it must be there.
  else if (loaded.generation === 'current' || reader.kind(resolve(envDir, '.env')) !== undefined) envFile = resolve(envDir, '.env');
  return { envDir, composeFiles, envFile };
}

function checkFiles(loaded: LoadedMatrix, reader: ProjectReader): void {
  const { matrix, file } = loaded;
  const problems: Problem[] = [];
  const need = (path: PropertyKey[], p: string, what: string, want: 'file' | 'dir' | 'any', note?: string) => {
    const kind = reader.kind(p);
    if (kind === undefined) problems.push([path, `${what} not found: ${p}`, note]);
    else if (want !== 'any' && kind !== want) problems.push([path, `${what} is not a ${want === 'dir' ? 'folder' : 'file'}: ${p}`, note]);
  };
  for (const [name, s] of Object.entries(matrix.suites)) {
    s.targets.forEach((t, j) => need(['suites', name, 'targets', j], resolve(loaded.dir, t), 'test target', 'any'));
  }
  matrix.matrix.forEach((entry, i) => {
    const paths = envPaths(loaded, i, reader);
    if (entry.env_dir) need(['matrix', i, 'env_dir'], paths.envDir, 'env dir', 'dir');
    else need(['matrix', i], paths.envDir, 'env dir', 'dir', '(env_dir defaults to the env name)');
    if (reader.kind(paths.envDir) === 'dir' || entry.compose_files) {
      paths.composeFiles.forEach((f, j) => need(entry.compose_files ? ['matrix', i, 'compose_files', j] : ['matrix', i], f, 'compose file', 'file'));
    }
    if (paths.envFile) {
      if (entry.env_file) need(['matrix', i, 'env_file'], paths.envFile, 'env file', 'file');
      else need(['matrix', i], paths.envFile, 'env file', 'file', '(the .env of its env dir)');
    }
  });
  if (matrix.infra) need(['infra', 'compose_file'], resolve(loaded.dir, matrix.infra.compose_file), 'infra compose file', 'file');
  if (problems.length) fail(file, problems, loaded.at);
}
