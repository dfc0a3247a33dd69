// Planning checks across envs: two selected envs never share a compose project, port,
// network, subnet or state dir (the values each env claims come from the conventions table).
import { ConfigError } from '../errors';
import { uniqueClaims } from '../esb/conventions';
import type { EnvPlan } from './types';

export function checkShared(envs: readonly EnvPlan[]): void {
  const owner = new Map<string, string>();
  for (const env of envs) {
    const claims: [string, string][] = [
      ...Object.entries(env.ports).map(([k, v]): [string, string] => [`port ${v}`, k]),
      ...uniqueClaims(env.env, env.mode),
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
