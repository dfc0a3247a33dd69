// deploy: the esb command line per template.
import { expect, it } from 'vitest';
import { deployArgv } from '../../src/phases/deploy';
import type { EnvPlan, Plan } from '../../src/plan/types';

it('is <esb> [--env-file F] --template T deploy [--verbose] --no-save-defaults --env E --mode M [--no-cache]', () => {
  const plan = { root: '/p' } as Plan;
  const env = { esb: 'esb', envFile: '/p/e2e/environments/x/.env', name: 'x', mode: 'containerd' } as unknown as EnvPlan;
  expect(deployArgv(plan, env, '/p/e2e/fixtures/template.yaml', { verbose: true, noCache: true })).toEqual([
    'esb', '--env-file', 'e2e/environments/x/.env', '--template', 'e2e/fixtures/template.yaml', 'deploy', '--verbose', '--no-save-defaults', '--env', 'x', '--mode', 'containerd', '--no-cache',
  ]);
  expect(deployArgv(plan, { ...env, envFile: null, esb: '/opt/esb' }, '/elsewhere/t.yaml', { verbose: false, noCache: false })).toEqual([
    '/opt/esb', '--template', '/elsewhere/t.yaml', 'deploy', '--no-save-defaults', '--env', 'x', '--mode', 'containerd',
  ]);
});
