// `esb-e2e down` on a real engine: after a run that left its envs and the registry up, it
// removes every container, network and volume of theirs and the registry, says so, and a
// second `down` finds nothing. The run says what it left up before.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { INFRA_PROJECT, demoAlpha, demoBeta, eachTestRunsItsOwnClis, leftovers, makeRunDir, nothingLeft, project, runCli, writeMatrix } from './helpers';

eachTestRunsItsOwnClis();

it('takes down what a run left up (envs and registry), and a second down finds nothing', async () => {
  const dir = makeRunDir('down');
  const matrix = writeMatrix(dir, [demoAlpha(), demoBeta()]);
  const run = await runCli(['run', '--matrix', matrix, '--no-verbose', '--log-dir', join(dir, 'logs')], { saveTo: dir });
  expect(run.code, `stderr:\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain('Still up: esb-demo-alpha, esb-demo-beta and the registry (esb-infra); `esb-e2e down` stops them.');
  for (const env of ['demo-alpha', 'demo-beta']) expect((await leftovers(project(env))).containers.length).toBeGreaterThan(0);

  const down = await runCli(['down', '--matrix', matrix], { saveTo: dir });
  expect(down.code, `stderr:\n${down.stderr}\n${down.stdout}`).toBe(0);
  expect(down.stdout).toMatch(/\[demo-alpha\] esb-demo-alpha taken down: removed containers 2, networks \d+/);
  expect(down.stdout).toMatch(/\[demo-beta\] esb-demo-beta taken down: removed containers 2, networks \d+/);
  expect(down.stdout).toContain("[infra] the registry (esb-infra, ");
  for (const env of ['demo-alpha', 'demo-beta']) expect(await leftovers(project(env)), env).toEqual(nothingLeft);
  expect(await leftovers(INFRA_PROJECT)).toEqual(nothingLeft);

  const again = await runCli(['down', '--matrix', matrix], { saveTo: dir });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('[demo-alpha] nothing of esb-demo-alpha is up');
  expect(again.stdout).toContain('[demo-beta] nothing of esb-demo-beta is up');
  expect(again.stdout).toContain('[infra] the registry is not up');
});
