// The CI example (examples/github-actions.yml) is a workflow GitHub can read, and every
// `esb-e2e` command it runs exists with every flag it passes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, REPO } from './helpers/fake-project';

interface Workflow {
  on: unknown;
  jobs: Record<string, { 'runs-on': string; needs?: string; steps: { run?: string; uses?: string }[] }>;
}

const workflow = parse(readFileSync(join(REPO, 'examples', 'github-actions.yml'), 'utf8')) as Workflow;

it('is a workflow: triggers, and jobs that each run on a machine with steps', () => {
  expect(workflow.on).toBeDefined();
  expect(Object.keys(workflow.jobs)).toEqual(['plan', 'e2e', 'report']);
  for (const job of Object.values(workflow.jobs)) {
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.steps.length).toBeGreaterThan(0);
  }
  expect(workflow.jobs.e2e!.needs).toBe('plan');
  expect(workflow.jobs.report!.needs).toBe('e2e');
});

it('fans out with plan --github-matrix, runs each env with its report, JUnit and annotations, and merges', () => {
  const commands = Object.values(workflow.jobs)
    .flatMap((job) => job.steps.map((s) => s.run ?? ''))
    .flatMap((run) => [...run.replace(/\n/g, ' ').matchAll(/npx esb-e2e ([^>")]*)/g)].map((m) => m[1]!.trim()));
  expect(commands.map((c) => c.split(' ').slice(0, c.startsWith('report') ? 2 : 1).join(' '))).toEqual(['plan', 'run', 'report merge']);
  for (const command of commands) {
    const words = command.split(/\s+/);
    const path = words[0] === 'report' ? words.slice(0, 2) : words.slice(0, 1);
    const help = spawnSync(process.execPath, [CLI, ...path, '--help'], { encoding: 'utf8' });
    expect(help.status, `esb-e2e ${path.join(' ')} --help`).toBe(0);
    for (const flag of words.filter((w) => w.startsWith('--'))) expect(help.stdout, `${path.join(' ')} ${flag}`).toContain(flag);
  }
  expect(commands[1]).toMatch(/--report .* --junit /);
});
