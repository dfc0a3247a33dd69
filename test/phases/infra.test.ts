// The shared registry: compose up once, then ready when its URL answers 200.
import { expect, it } from 'vitest';
import type { ExecResult } from '../../src/exec';
import { startInfra } from '../../src/phases/infra';
import type { Plan } from '../../src/plan/types';

const plan = { root: '/p', infra: { project: 'esb-infra', composeFile: '/p/docker-compose.infra.yml', services: ['registry'], readyUrl: 'http://127.0.0.1:5010/v2/', readyTimeout: 60 } } as unknown as Plan;
const cli = { prefix: ['docker', 'compose'], flavour: 'v2' } as const;

it('starts the registry and waits for its ready URL', async () => {
  const ran: string[] = [];
  const waited: [string, number][] = [];
  const r = await startInfra(plan, cli, {
    run: async (argv) => (ran.push(argv.join(' ')), { ok: true } as ExecResult),
    wait: async (url, ms) => (waited.push([url, ms]), { ok: true, reason: null, attempts: 1 }),
  });
  expect(r).toEqual({ ok: true, url: 'http://127.0.0.1:5010/v2/' });
  expect(ran).toEqual(['docker compose --project-name esb-infra --file docker-compose.infra.yml up --detach registry']);
  expect(waited).toEqual([['http://127.0.0.1:5010/v2/', 60_000]]);
});

it('fails with the reason when compose up or the wait fails', async () => {
  const up = await startInfra(plan, cli, { run: async () => ({ ok: false, reason: 'docker exited with code 1', cancelled: false }) as ExecResult, wait: async () => ({ ok: true, reason: null, attempts: 1 }) });
  expect(up).toEqual({ ok: false, reason: 'registry: compose up: docker exited with code 1', cancelled: false });
  const wait = await startInfra(plan, cli, { run: async () => ({ ok: true }) as ExecResult, wait: async () => ({ ok: false, reason: 'no answer', attempts: 9 }) });
  expect(wait).toEqual({ ok: false, reason: 'registry: no answer', cancelled: false });
});
