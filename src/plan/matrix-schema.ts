// The matrix file's shape, as zod schemas (zod/mini: a schema is a few plain objects, so
// building them all costs little at every start): the types the planner reads come from
// them, and so do the known keys that an unknown-key error lists. Unknown keys are errors
// everywhere.
import * as z from '../zod';

import { PROXY_LOGS } from '../esb/proxy';
import { MAX_TIMEOUT_SECONDS } from './phases';

export { PHASES, type PhaseName, type Timeouts } from './phases';

export const ENV_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** Names of esb-e2e's own output scopes and log files. */
export const RESERVED = ['suite', 'infra', ...PROXY_LOGS];
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envNameMessage =
  'must match ^[a-z0-9][a-z0-9_-]*$ (lower-case letters, digits, "-" and "_"; it becomes a file and compose project name)';

const opt = z.optional;
const nonEmpty = (error?: string) => z.minLength(1, error === undefined ? undefined : { error });
const text = () => z.string().check(nonEmpty());
const whole = z.refine<number>((n) => Number.isInteger(n), { error: 'expected a whole number' });

/** Longer names make file names (`.parallel-<env>.compose.log`) and Docker names (`esb-<env>-external`) too long. */
export const MAX_ENV_NAME = 63;
const envName = z.string({ error: 'expected an env name (string)' }).check(
  z.regex(ENV_NAME, { error: envNameMessage }),
  z.maxLength(MAX_ENV_NAME, { error: `must be at most ${MAX_ENV_NAME} characters (it becomes file and Docker names)` }),
);
const varName = z.string().check(z.regex(VAR_NAME, { error: 'must be a variable name (letters, digits, "_")' }));
const path = z.string({ error: 'expected a path (string)' }).check(nonEmpty('must not be empty'));
const seconds = z.number({ error: 'expected a number of seconds' }).check(
  z.positive({ error: 'must be a positive number of seconds' }),
  z.lte(MAX_TIMEOUT_SECONDS, { error: `must be at most ${MAX_TIMEOUT_SECONDS} seconds (about 24 days)` }),
);
const port = z.number({ error: 'expected a port number' }).check(whole, z.gte(1), z.lte(65535, { error: 'must be a port (1-65535)' }));
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const envVars = z.record(varName, z.pipe(scalar, z.transform(String)), { error: 'expected a mapping of VAR: value' });
const mode = z.enum(['docker', 'containerd'], { error: 'expected "docker" or "containerd"' });
const paths = (error?: string) => z.array(path, error === undefined ? undefined : { error });

const timeouts = z.partial(z.strictObject({ reset: seconds, compose: seconds, deploy: seconds, test: seconds }));
const waitItem = z.strictObject({
  url: z.string({ error: 'expected a URL' }).check(nonEmpty()),
  timeout: z._default(seconds, 60),
});

const suite = z.strictObject({
  description: opt(z.string()),
  targets: paths('expected a list of paths').check(nonEmpty('a suite needs at least one target')),
  exclude: z.pipe(z.nullish(paths('expected a list of paths')), z.transform((v) => v ?? [])),
  markers: opt(z.string()),
});

const defaults = z.strictObject({
  mode: opt(mode),
  env_vars: opt(envVars),
  timeouts: opt(timeouts),
  wait: opt(z.array(waitItem)),
  deploy_templates: opt(paths()),
});

const infra = z.strictObject({
  compose_file: path,
  services: z._default(z.array(text()).check(nonEmpty()), ['registry']),
  ready_url: opt(text()),
  ready_timeout: z._default(seconds, 60),
  container: opt(z.nullable(text())),
  alias: z._default(text(), 'registry'),
  project: z._default(envName, 'esb-infra'),
});

const publishedPort = z.strictObject({ service: text(), port, variable: varName });

const environment = z.strictObject({
  env: opt(envName),
  esb_env: opt(envName),
  env_dir: opt(path),
  env_file: opt(path),
  compose_files: opt(paths().check(nonEmpty())),
  mode: opt(mode),
  // Required (and non-empty) in the legacy layout; the current one may list none (no test phase).
  suites: opt(z.array(z.string({ error: 'expected a suite name' }), { error: 'expected a list of suite names' })),
  /** ESB's current layout: the env's artifact manifest, relative to the project root. */
  artifact_manifest: opt(path),
  /** ESB's current layout: ESB_PROJECT (default esb). */
  esb_project: opt(text()),
  env_vars: opt(envVars),
  deploy_templates: opt(paths()),
  timeouts: opt(timeouts),
  wait: opt(z.array(waitItem)),
  docker_host: opt(text()),
  docker_context: opt(text()),
});

export const matrixSchema = z.strictObject({
  suites: z.record(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: 'bad suite name' })), suite, {
    error: 'expected a mapping of suite name -> suite',
  }),
  defaults: opt(defaults),
  infra: opt(z.union([infra, z.literal(false)])),
  matrix: z.array(environment, { error: 'expected a list of environments' }).check(nonEmpty('lists no environment')),
  compose: opt(z.array(text()).check(nonEmpty())),
  esb: opt(text()),
  python: opt(text()),
  ports: opt(z.array(varName)),
  port_base: opt(port),
  port_block: opt(z.number().check(whole, z.gte(1), z.lte(1000))),
  published_ports: opt(z.union([z.array(publishedPort), z.literal(false)])),
  auto_build: opt(z.boolean()),
  gateway_env: opt(z.boolean()),
  /** Which ESB layout the matrix is for; by default told from its entries (artifact_manifest: current). */
  esb_layout: opt(z.enum(['legacy', 'current'], { error: 'expected "legacy" or "current"' })),
});

export type Matrix = z.infer<typeof matrixSchema>;
export type MatrixEnv = Matrix['matrix'][number];
export type Suite = Matrix['suites'][string];

export const KNOWN_KEYS: Record<string, readonly string[]> = {
  top: Object.keys(matrixSchema.shape),
  env: Object.keys(environment.shape),
  suite: Object.keys(suite.shape),
  defaults: Object.keys(defaults.shape),
  infra: Object.keys(infra.shape),
  timeouts: Object.keys(timeouts.shape),
  wait: Object.keys(waitItem.shape),
  published: Object.keys(publishedPort.shape),
};
