// `down` against a stub phase context: which commands `down` runs for the shared
// registry, depending on what the engine says about the env's network.
import { describe, expect, it } from 'vitest';
import type { DockerApi } from '../../src/io/docker-api';
import type { ExecResult } from '../../src/exec';
import { down } from '../../src/phases/down';
import type { PhaseContext } from '../../src/phases/context';
import type { EnvPlan, Plan } from '../../src/plan/types';

const ok: ExecResult = { ok: true, exitCode: 0, signal: null, timedOut: false, cancelled: false, reason: null, stdout: '', notFound: false };

function stub(engine: Partial<DockerApi> | null) {
  const commands: string[] = [];
  const traces: string[] = [];
  const plan = {
    root: '/p',
    infra: { container: 'esb-infra-registry', alias: 'registry' },
  } as unknown as Plan;
  const env = { name: 'a', project: 'esb-a', composeFiles: ['/p/dc.yml'], envFile: null, dockerContext: null } as unknown as EnvPlan;
  const ctx = {
    plan,
    env,
    compose: { prefix: ['docker', 'compose'], flavour: 'v2' },
    signal: new AbortController().signal,
    engine: async () => (engine ? ({ endpoint: 'unix:///fake.sock', ...engine } as DockerApi) : null),
    binding: { shift: 0, discovered: null, vars: { NETWORK_EXTERNAL: 'esb-a-external' } },
    run: async (argv: readonly string[]) => {
      commands.push(argv.join(' '));
      return ok;
    },
    trace: (line: string) => traces.push(line),
  } as unknown as PhaseContext;
  return { ctx, commands, traces };
}

const DISCONNECT = 'docker network disconnect --force esb-a-external esb-infra-registry';
const DOWN = 'docker compose --project-name esb-a --file dc.yml down --volumes --remove-orphans';

describe('down: the shared registry leaves the env network first', () => {
  it('skips the disconnect when the engine says the registry is not on the network, or there is no network', async () => {
    for (const members of [['esb-a-gateway'], null]) {
      const { ctx, commands } = stub({ networkMembers: async () => members });
      expect((await down(ctx)).ok).toBe(true);
      expect(commands).toEqual([DOWN]);
    }
  });

  it('disconnects when the engine says it is attached', async () => {
    const { ctx, commands } = stub({ networkMembers: async () => ['esb-infra-registry'] });
    await down(ctx);
    expect(commands).toEqual([DISCONNECT, DOWN]);
  });

  it('disconnects, as before, without an engine to ask or when the question fails', async () => {
    const none = stub(null);
    await down(none.ctx);
    expect(none.commands).toEqual([DISCONNECT, DOWN]);
    const failing = stub({
      networkMembers: async () => {
        throw new Error('docker API /networks/esb-a-external: HTTP 500: engine trouble');
      },
    });
    await down(failing.ctx);
    expect(failing.commands).toEqual([DISCONNECT, DOWN]);
    expect(failing.traces).toEqual(['docker API /networks/esb-a-external: HTTP 500: engine trouble: asking the docker CLI instead']);
  });
});
