// A broken console does not break the run: stdout closed early (`| head -n 1`, EPIPE) or
// full (/dev/full, ENOSPC). No crash and no stack trace; the run goes on without the
// console, every env log and the report are complete, the lock is released, and the exit
// code is the run's own.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CLI, makeProject, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** Runs `esb-e2e run ...` in bash with its stdout sent through `redirect`; its own exit code and stderr. */
function shell(redirect: string, args: string, env: Record<string, string>, cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const script = `"${process.execPath}" "${CLI}" run ${args} 2>stderr.txt ${redirect}; echo "\${PIPESTATUS[0]}" > code.txt`;
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: 'ignore' });
    child.on('close', () => resolve({ code: Number(readFileSync(join(cwd, 'code.txt'), 'utf8')), stderr: readFileSync(join(cwd, 'stderr.txt'), 'utf8') }));
  });
}

function expectWholeRun(p: Project, outcome: { code: number; stderr: string }) {
  expect(outcome.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(outcome.code).toBe(0);
  for (const env of ['alpha', 'beta']) {
    const log = readFileSync(join(p.logDir, `.parallel-${env}.log`), 'utf8');
    expect(log).toContain('line 5000');
    expect(log).toMatch(new RegExp(`# env ${env} passed`));
  }
  const report = JSON.parse(readFileSync(join(p.root, 'report.json'), 'utf8')) as { status: string; envs: unknown[] };
  expect(report).toMatchObject({ status: 'passed' });
  expect(report.envs).toHaveLength(2);
  expect(existsSync(join(p.logDir, '.esb-e2e.lock')), 'the lock was left').toBe(false);
  for (const call of p.calls()) expect(call.end, `${call.tool} ${call.argv.join(' ')} did not finish`).toBeDefined();
}

it('`esb-e2e run | head -n 1`: the run goes on without its console and ends as it would have', async () => {
  project = makeProject({ envs: ['alpha', 'beta'] });
  const env = project.env({ FAKE_RULES: 'python3|*|pytest|lines=5000' });
  expectWholeRun(project, await shell('| head -n 1 > /dev/null', '--report report.json', env, project.root));
});

it('stdout on a full device (/dev/full): the same', async () => {
  project = makeProject({ envs: ['alpha', 'beta'] });
  const env = project.env({ FAKE_RULES: 'python3|*|pytest|lines=5000' });
  expectWholeRun(project, await shell('> /dev/full', '--report report.json', env, project.root));
});

it('`esb-e2e plan | head -n 1` ends quietly too', async () => {
  project = makeProject({ envs: ['alpha', 'beta'] });
  const outcome = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const script = `for i in $(seq 1 20); do "${process.execPath}" "${CLI}" plan --json; done 2>stderr.txt | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}" > code.txt`;
    spawn('bash', ['-c', script], { cwd: project!.root, env: project!.env(), stdio: 'ignore' }).on('close', () =>
      resolve({ code: Number(readFileSync(join(project!.root, 'code.txt'), 'utf8')), stderr: readFileSync(join(project!.root, 'stderr.txt'), 'utf8') }),
    );
  });
  expect(outcome.stderr).toBe('');
  expect(outcome.code).toBe(0);
});
