// Planning checks across envs: two selected envs never share a compose project, port,
// network, subnet or state dir (the values each env claims come from the conventions table).
import { ConfigError } from '../errors';
import { uniqueClaims } from '../esb/conventions';
import { LAYOUTS } from '../esb/layouts';
import type { GenerationName } from '../esb/generation';
import type { EnvPlan } from './types';

export function checkShared(envs: readonly EnvPlan[], generation: GenerationName): void {
  const owner = new Map<string, string>();
  for (const env of envs) {
    const claims: [string, string][] = [
      ...Object.entries(env.ports).map(([k, v]): [string, string] => [`port ${v}`, k]),
      ...uniqueClaims(LAYOUTS[generation], env.env, env.mode),
    ];
    const mine = new Set<string>();
    for (const [claim, key] of claims) {
      const other = owner.get(claim);
      if (other && other !== `${env.name}:${key}`) throw new ConfigError(conflict(env.name, key, claim, other));
      if (!mine.has(claim)) owner.set(claim, `${env.name}:${key}`);
      mine.add(claim);
    }
  }
}

function conflict(env: string, key: string, claim: string, other: string): string {
  const [otherEnv, otherKey] = other.split(':');
  return otherEnv === env
    ? `env "${env}": ${key} and ${otherKey} would both use ${claim.replace(/^\w+=/, '')}`
    : `envs "${otherEnv}" and "${env}" would share ${claim} (${otherKey} / ${key}); give each env its own value`;
}

/** What Linux lets one `KEY=VALUE` be (MAX_ARG_STRLEN, 32 pages). */
const MAX_VAR_BYTES = 128 * 1024 - 1;
/** What an env's whole environment may take, leaving room for the arguments (ARG_MAX is 2 MiB at the least). */
const MAX_ENV_BYTES = 1024 * 1024;

/** Every variable of the env fits what the OS can hand a process, and so do all of them together. */
export function checkEnvLimits(env: EnvPlan, base: Readonly<Record<string, string>>): void {
  let total = 0;
  let largest = { key: '', bytes: 0 };
  for (const [key, value] of Object.entries({ ...base, ...env.env })) {
    const bytes = Buffer.byteLength(key) + 1 + Buffer.byteLength(value) + 1;
    if (bytes > MAX_VAR_BYTES) {
      throw new ConfigError(`env "${env.name}": ${key} is ${Math.ceil(bytes / 1024)} KiB, more than one variable can hold (128 KiB)`);
    }
    total += bytes;
    if (bytes > largest.bytes) largest = { key, bytes };
  }
  if (total > MAX_ENV_BYTES) {
    throw new ConfigError(
      `env "${env.name}": its variables take ${Math.ceil(total / 1024)} KiB, more than a process can be given (1 MiB); the largest is ${largest.key} (${Math.ceil(largest.bytes / 1024)} KiB)`,
    );
  }
}
