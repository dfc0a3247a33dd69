// The matrix file's shape, as zod schemas: the types the planner reads come from them, and
// so do the known keys that an unknown-key error lists. Unknown keys are errors everywhere.
import * as z from '../zod';

export { PHASES, type PhaseName, type Timeouts } from './phases';


export const ENV_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** Names of esb-e2e's own output scopes and log files. */
export const RESERVED = ['suite', 'infra'];
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
