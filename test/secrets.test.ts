// Secrets never reach the console, the logs or the reports: a run whose tools print every
// kind of secret, scanned everywhere it writes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeProject, runCli, type Project } from './helpers/fake-project';

let project: Project | undefined;
afterEach(() => project?.cleanup());

it('masks AUTH_PASS, JWT_SECRET_KEY, X_API_KEY, *_TOKEN, *_SECRET* and URL credentials everywhere', async () => {
  project = makeProject({ envs: ['alpha'], envFile: 'AUTH_PASS=file-password-123\nDB_SECRET_VALUE=s3cr3t-from-file\n' });
  const printed = 'AUTH_PASS,JWT_SECRET_KEY,X_API_KEY,RUSTFS_SECRET_KEY,DEPLOY_TOKEN,DB_SECRET_VALUE,REPO_URL';
  const rules = [
    `esb|alpha|deploy|printenv=${printed}`,
    `python3|alpha|pytest|printenv=${printed};exit=1`,
    `docker|alpha| logs |printenv=${printed}`,
  ].join('\n');
  const report = join(project.root, 'out', 'report.json');
  const r = await runCli(['run', '--set', 'DEPLOY_TOKEN=tok-abcdef-123', '--set', 'REPO_URL=https://bot:hunter2-pass@git.example/x.git', '--report', report], {
    cwd: project.root,
    env: project.env({ FAKE_RULES: rules }),
  });
  expect(r.code).toBe(1);
  // The values really were in the children's env.
  const esb = project.calls().find((c) => c.tool === 'esb')!;
  const secrets = ['AUTH_PASS', 'JWT_SECRET_KEY', 'X_API_KEY', 'RUSTFS_SECRET_KEY', 'DEPLOY_TOKEN', 'DB_SECRET_VALUE'].map((k) => esb.env[k]!);
  expect(secrets).toContain('file-password-123');
  expect(secrets).toContain('tok-abcdef-123');
  expect(secrets.every((s) => s.length >= 6)).toBe(true);
  secrets.push('hunter2-pass');

  const outputs: [string, string][] = [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ];
  for (const f of readdirSync(project.logDir)) outputs.push([f, readFileSync(join(project.logDir, f), 'utf8')]);
  outputs.push(['report', readFileSync(report, 'utf8')]);
  expect(outputs.map(([name]) => name)).toEqual(expect.arrayContaining(['.parallel-alpha.log', '.parallel-alpha.compose.log', 'report']));
  for (const [name, text] of outputs) {
    for (const secret of secrets) expect(text.includes(secret), `${name} holds ${secret}`).toBe(false);
  }
  // Masked, not dropped: the lines are there with *** in place of each value.
  const log = readFileSync(join(project.logDir, '.parallel-alpha.log'), 'utf8');
  expect(log).toContain('AUTH_PASS=***');
  expect(log).toContain('DEPLOY_TOKEN=***');
  expect(log).toContain('REPO_URL=https://***@git.example/x.git');
  expect(r.stdout).toContain('[alpha] X_API_KEY=***');
});
