// Docker and compose command lines, as pure functions of the env, plus the one-time
// detection of the compose flavour (`docker compose` v2, else `docker-compose` v1, or the
// matrix's `compose`).
import type { Command, ExecResult } from '../exec';
import { display } from '../format';
import type { EnvPlan, Plan } from '../plan/types';

export interface ComposeCli {
  /** argv prefix: ['docker', 'compose'], ['docker-compose'] or the matrix's `compose`. */
  readonly prefix: readonly string[];
  readonly flavour: 'v2' | 'v1' | 'custom';
}

export const COMPOSE_SETTING = 'matrix `compose`, or install Docker Compose v2 (docker compose) or docker-compose';

/**
 * Decide the compose flavour by asking `docker compose version`, then `docker-compose
 * version`. `run` bounds each question (the compose phase's timeout); one that hangs is
 * named in the answer instead of being taken for a missing flavour.
 */
export async function detectCompose(plan: Plan, run: (cmd: Command) => Promise<ExecResult>): Promise<ComposeCli | string> {
  if (plan.compose) return { prefix: plan.compose, flavour: 'custom' };
  const env = { ...plan.base };
  for (const [argv, cli] of [
    [['docker', 'compose', 'version'], { prefix: ['docker', 'compose'], flavour: 'v2' }],
    [['docker-compose', 'version'], { prefix: ['docker-compose'], flavour: 'v1' }],
  ] as const) {
    const asked = await run({ argv, env, cwd: plan.root });
    if (asked.ok) return cli;
    if (asked.timedOut) return `docker compose: \`${argv.join(' ')}\` did not answer: ${asked.reason} (the compose phase's timeout; --timeout compose=<seconds>)`;
    if (asked.cancelled) return 'cancelled';
  }
  return `docker compose: not found (neither \`docker compose\` nor \`docker-compose\` answers; set ${COMPOSE_SETTING})`;
}

/** `docker [--context C]` for this env. */
export function dockerArgv(env: EnvPlan, ...args: string[]): string[] {
  return env.dockerContext ? ['docker', '--context', env.dockerContext, ...args] : ['docker', ...args];
}

/** `<compose> --project-name P --file F... [--env-file E] <args>` for this env. */
export function composeArgv(cli: ComposeCli, plan: Plan, env: EnvPlan, ...args: string[]): string[] {
  const files = env.composeFiles.flatMap((f) => ['--file', display(plan.root, f)]);
  const envFile = env.envFile ? ['--env-file', display(plan.root, env.envFile)] : [];
  return [...withContext(cli, env.dockerContext), '--project-name', env.project, ...files, ...envFile, ...args];
}

function withContext(cli: ComposeCli, context: string | null): string[] {
  if (!context) return [...cli.prefix];
  if (cli.flavour === 'v2') return ['docker', '--context', context, 'compose'];
  return [...cli.prefix, '--context', context];
}

/** `<compose> [--project-name esb-infra] --file F`: ESB's current layout names no project (compose takes the folder's). */
function infraArgv(cli: ComposeCli, plan: Plan): string[] {
  const infra = plan.infra!;
  const project = plan.generation === 'current' ? [] : ['--project-name', infra.project];
  return [...cli.prefix, ...project, '--file', display(plan.root, infra.composeFile)];
}

/** `<compose> ... up --detach <services>` */
export const infraUpArgv = (cli: ComposeCli, plan: Plan) => [...infraArgv(cli, plan), 'up', '--detach', ...plan.infra!.services];
export const infraPsArgv = (cli: ComposeCli, plan: Plan) => [...infraArgv(cli, plan), 'ps', '--services', '--filter', 'status=running'];
export const infraDownArgv = (cli: ComposeCli, plan: Plan) => [...infraArgv(cli, plan), 'down', '--volumes', '--remove-orphans'];

/** The label compose puts on all it makes for a project, as `key=value`. */
export const composeLabel = (project: string) => `com.docker.compose.project=${project}`;
/** The same as a docker CLI filter value. */
export const projectLabel = (project: string) => `label=${composeLabel(project)}`;

/** Images of services that compose builds locally (they have `build:` and a named `image:`). */
export function builtImages(configYaml: unknown): string[] {
  const services = (configYaml as { services?: Record<string, { build?: unknown; image?: unknown }> } | null)?.services ?? {};
  return Object.values(services)
    .filter((s) => s && s.build !== undefined && typeof s.image === 'string')
    .map((s) => s.image as string);
}
