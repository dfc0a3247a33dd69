// The matrix file: YAML text -> zod-validated `Matrix`, plus the checks that need the
// project's files (paths exist, suites known, names unique). Loads the new shape and
// the legacy ESB `e2e/environments/test_matrix.yaml` unchanged. Every error names the
// file and the YAML path.
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import * as z from './zod';
import { ConfigError, nearest, unknownName } from './errors';
import type { ProjectReader } from './reader';

export const PHASES = ['reset', 'compose', 'deploy', 'test'] as const;
export type PhaseName = (typeof PHASES)[number];

export const ENV_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** Names of esb-e2e's own output scopes and log files. */
const RESERVED = ['suite', 'infra'];
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envNameMessage =
  'must match ^[a-z0-9][a-z0-9_-]*$ (lower-case letters, digits, "-" and "_"; it becomes a file and compose project name)';

const envName = z.string({ error: 'expected an env name (string)' }).regex(ENV_NAME, { error: envNameMessage });
const varName = z.string().regex(VAR_NAME, { error: 'must be a variable name (letters, digits, "_")' });
const path = z.string({ error: 'expected a path (string)' }).min(1, { error: 'must not be empty' });
const seconds = z.number({ error: 'expected a number of seconds' }).positive({ error: 'must be a positive number of seconds' });
const port = z.number({ error: 'expected a port number' }).int().min(1).max(65535, { error: 'must be a port (1-65535)' });
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const envVars = z.record(varName, scalar.transform(String), { error: 'expected a mapping of VAR: value' });
const mode = z.enum(['docker', 'containerd'], { error: 'expected "docker" or "containerd"' });

const timeouts = z.strictObject({ reset: seconds, compose: seconds, deploy: seconds, test: seconds }).partial();
const waitItem = z.strictObject({
  url: z.string({ error: 'expected a URL' }).min(1),
  timeout: seconds.default(60),
});

const suite = z.strictObject({
  description: z.string().optional(),
  targets: z.array(path, { error: 'expected a list of paths' }).min(1, { error: 'a suite needs at least one target' }),
  exclude: z.array(path, { error: 'expected a list of paths' }).nullish().transform((v) => v ?? []),
  markers: z.string().optional(),
});

const defaults = z.strictObject({
  mode: mode.optional(),
  env_vars: envVars.optional(),
  timeouts: timeouts.optional(),
  wait: z.array(waitItem).optional(),
  deploy_templates: z.array(path).optional(),
});

const infra = z.strictObject({
  compose_file: path,
  services: z.array(z.string().min(1)).min(1).default(['registry']),
  ready_url: z.string().min(1).optional(),
  ready_timeout: seconds.default(60),
  container: z.string().min(1).nullable().optional(),
  alias: z.string().min(1).default('registry'),
  project: envName.default('esb-infra'),
});

const publishedPort = z.strictObject({ service: z.string().min(1), port: port, variable: varName });

const environment = z.strictObject({
  env: envName.optional(),
  esb_env: envName.optional(),
  env_dir: path.optional(),
  env_file: path.optional(),
  compose_files: z.array(path).min(1).optional(),
  mode: mode.optional(),
  suites: z.array(z.string({ error: 'expected a suite name' }), { error: 'expected a list of suite names' }).min(1, {
    error: 'an env needs at least one suite',
  }),
  env_vars: envVars.optional(),
  deploy_templates: z.array(path).optional(),
  timeouts: timeouts.optional(),
  wait: z.array(waitItem).optional(),
  docker_host: z.string().min(1).optional(),
  docker_context: z.string().min(1).optional(),
});

export const matrixSchema = z.strictObject({
  suites: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: 'bad suite name' }), suite, {
    error: 'expected a mapping of suite name -> suite',
  }),
  defaults: defaults.optional(),
  infra: z.union([infra, z.literal(false)]).optional(),
  matrix: z.array(environment, { error: 'expected a list of environments' }).min(1, { error: 'lists no environment' }),
  compose: z.array(z.string().min(1)).min(1).optional(),
  esb: z.string().min(1).optional(),
  python: z.string().min(1).optional(),
  ports: z.array(varName).optional(),
  port_base: port.optional(),
  port_block: z.number().int().min(1).max(1000).optional(),
  published_ports: z.union([z.array(publishedPort), z.literal(false)]).optional(),
  auto_build: z.boolean().optional(),
  gateway_env: z.boolean().optional(),
});

export type Matrix = z.infer<typeof matrixSchema>;
export type MatrixEnv = Matrix['matrix'][number];
export type Suite = Matrix['suites'][string];
export type Timeouts = Record<PhaseName, number>;

/** A matrix with its file, its folder (base of every path in it) and env names resolved. */
export interface LoadedMatrix {
  readonly file: string;
  readonly dir: string;
  readonly matrix: Matrix;
  /** One per matrix entry, in file order: the name (`env` or legacy `esb_env`). */
  readonly names: readonly string[];
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  top: Object.keys(matrixSchema.shape),
  env: Object.keys(environment.shape),
  suite: Object.keys(suite.shape),
  defaults: Object.keys(defaults.shape),
  infra: Object.keys(infra.shape),
  timeouts: Object.keys(timeouts.shape),
  wait: Object.keys(waitItem.shape),
  published: Object.keys(publishedPort.shape),
};

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
  return issue.message;
}

function fail(file: string, problems: string[]): never {
  const max = 10;
  const shown = problems.slice(0, max).map((p) => `${file}: ${p}`);
  if (problems.length > max) shown.push(`... and ${problems.length - max} more`);
  throw new ConfigError(shown.join('\n'));
}

/** Parse and validate the text of a matrix file (no file checks). */
export function parseMatrix(text: string, file: string): { matrix: Matrix; names: string[] } {
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
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  const parsed = matrixSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    fail(
      file,
      parsed.error.issues.map((issue) => `${yamlPath(issue.path)}: ${describeIssue(issue)}`),
    );
  }
  const matrix = parsed.data;
  const problems: string[] = [];
  const names = matrix.matrix.map((entry, i) => {
    if (entry.env && entry.esb_env && entry.env !== entry.esb_env) {
      problems.push(`matrix[${i}]: both "env" and "esb_env" are set and differ; keep one`);
    }
    const name = entry.env ?? entry.esb_env;
    if (!name) problems.push(`matrix[${i}]: the env has no name (set "env:", or legacy "esb_env:")`);
    else if (RESERVED.includes(name)) problems.push(`matrix[${i}].env: "${name}" is reserved for esb-e2e's own lines ([${name}] ...); pick another name`);
    return name ?? '';
  });
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (!name) return;
    const first = seen.get(name);
    if (first !== undefined) problems.push(`matrix[${i}].env: duplicate env "${name}" (also matrix[${first}])`);
    else seen.set(name, i);
  });
  const knownSuites = Object.keys(matrix.suites);
  matrix.matrix.forEach((entry, i) => {
    entry.suites.forEach((s, j) => {
      if (!(s in matrix.suites)) problems.push(`matrix[${i}].suites[${j}]: ${unknownName('suite', s, knownSuites)}`);
    });
  });
  if (problems.length) fail(file, problems);
  return { matrix, names };
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
    throw new ConfigError(`${file}: cannot read the matrix (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
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
  else if (reader.kind(resolve(envDir, '.env')) === 'file') envFile = resolve(envDir, '.env');
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
    if (entry.env_file && paths.envFile) need(`matrix[${i}].env_file`, paths.envFile, 'env file', 'file');
  });
  if (matrix.infra) need('infra.compose_file', resolve(loaded.dir, matrix.infra.compose_file), 'infra compose file', 'file');
  if (problems.length) fail(file, problems);
}
