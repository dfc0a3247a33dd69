// Compose and docker command lines per flavour, context and env file; flavour detection.
import { describe, expect, it } from 'vitest';
import { builtImages, composeArgv, detectCompose, dockerArgv, infraDownArgv, infraUpArgv, type ComposeCli } from '../../src/phases/compose-cli';
import type { ExecResult } from '../../src/exec';
import type { EnvPlan, Plan } from '../../src/plan/types';

const plan = { root: '/p', compose: null, base: { PATH: '/bin' }, infra: { project: 'esb-infra', composeFile: '/p/docker-compose.infra.yml', services: ['registry'] } } as unknown as Plan;
const env = { project: 'esb-a', composeFiles: ['/p/envs/a/docker-compose.yml', '/p/extra.yml'], envFile: '/p/envs/a/.env', dockerContext: null } as unknown as EnvPlan;
const v2: ComposeCli = { prefix: ['docker', 'compose'], flavour: 'v2' };
const v1: ComposeCli = { prefix: ['docker-compose'], flavour: 'v1' };
const ok = { ok: true } as ExecResult;
const bad = { ok: false } as ExecResult;

describe('composeArgv', () => {
  it('puts project, every file and the env file before the subcommand', () => {
    expect(composeArgv(v2, plan, env, 'up', '--detach')).toEqual([
      'docker', 'compose', '--project-name', 'esb-a', '--file', 'envs/a/docker-compose.yml', '--file', 'extra.yml', '--env-file', 'envs/a/.env', 'up', '--detach',
    ]);
    expect(composeArgv(v1, plan, { ...env, envFile: null }, 'down')).toEqual(['docker-compose', '--project-name', 'esb-a', '--file', 'envs/a/docker-compose.yml', '--file', 'extra.yml', 'down']);
  });

  it('sends an env with a docker context to that engine, for docker and both compose flavours', () => {
    const remote = { ...env, dockerContext: 'ci-2' };
    expect(dockerArgv(remote, 'ps')).toEqual(['docker', '--context', 'ci-2', 'ps']);
    expect(dockerArgv(env, 'ps')).toEqual(['docker', 'ps']);
    expect(composeArgv(v2, plan, remote, 'ps').slice(0, 4)).toEqual(['docker', '--context', 'ci-2', 'compose']);
    expect(composeArgv(v1, plan, remote, 'ps').slice(0, 3)).toEqual(['docker-compose', '--context', 'ci-2']);
  });

  it('starts and stops the infra project', () => {
    expect(infraUpArgv(v2, plan)).toEqual(['docker', 'compose', '--project-name', 'esb-infra', '--file', 'docker-compose.infra.yml', 'up', '--detach', 'registry']);
    expect(infraDownArgv(v1, plan)).toEqual(['docker-compose', '--project-name', 'esb-infra', '--file', 'docker-compose.infra.yml', 'down', '--volumes', '--remove-orphans']);
  });
});

describe('detectCompose', () => {
  it('prefers docker compose v2, falls back to docker-compose, or reports neither', async () => {
    const asked: string[] = [];
    const answer = (which: Record<string, ExecResult>) => async (cmd: { argv: readonly string[] }) => {
      asked.push(cmd.argv.join(' '));
      return which[cmd.argv[0]!]!;
    };
    expect(await detectCompose(plan, answer({ docker: ok, 'docker-compose': ok }))).toEqual(v2);
    expect(await detectCompose(plan, answer({ docker: bad, 'docker-compose': ok }))).toEqual(v1);
    const none = await detectCompose(plan, answer({ docker: bad, 'docker-compose': bad }));
    expect(none).toMatch(/^docker compose: not found .*matrix `compose`/);
    expect(asked).toContain('docker compose version');
    expect(asked).toContain('docker-compose version');
  });

  it('uses the matrix compose without asking', async () => {
    const custom = await detectCompose({ ...plan, compose: ['podman-compose'] } as Plan, async () => {
      throw new Error('must not run');
    });
    expect(custom).toEqual({ prefix: ['podman-compose'], flavour: 'custom' });
  });
});

it('builtImages lists named images of services that build locally', () => {
  expect(builtImages({ services: { a: { build: { context: '.' }, image: 'esb-os-base:latest' }, b: { image: 'redis' }, c: { build: '.' } } })).toEqual(['esb-os-base:latest']);
  expect(builtImages(null)).toEqual([]);
});
