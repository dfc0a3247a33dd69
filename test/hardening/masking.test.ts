// Masking at every exit: one secret, leaking through every way a run can print it (a child
// writing it in two writes, across the 64 KiB cut of a long line, with colour codes inside
// it; a wait URL with it as the password; a program path that holds it; compose logs), and
// it shows up in no output at all: console, stderr, env logs, compose log, report, JUnit,
// annotations, step summary.
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeProject, runCli, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const SECRET = 'hunter2secret';

it('never lets the secret out, whichever way it comes', async () => {
  project = makeProject({ envs: ['alpha', 'beta', 'gamma'] });
  const root = project.root;
  // alpha's pytest: the secret in two writes, after 65530 characters of one line (so the
  // 64 KiB cut falls inside it), and with a colour code inside it; then it fails.
  const pytest = join(root, 'leaky-pytest');
  writeFileSync(
    pytest,
    [
      '#!/bin/sh',
      "printf 'token: hunter2'; sleep 0.2; printf 'secret and more\\n'",
      "head -c 65530 /dev/zero | tr '\\000' a; printf 'hunter2secret tail\\n'",
      "printf 'coloured hunter\\033[31m2secret\\033[0m\\n'",
      'exit 1',
    ].join('\n') + '\n',
  );
  chmodSync(pytest, 0o755);
  const matrix = readFileSync(join(root, 'e2e-matrix.yaml'), 'utf8')
    .replace('  - env: alpha\n', `  - env: alpha\n    env_vars: { E2E_PYTHON: ${pytest} }\n`)
    .replace('  - env: beta\n', `  - env: beta\n    wait: [{ url: "http://admin:${SECRET}@127.0.0.1:9/health", timeout: 1 }]\n`)
    .replace('  - env: gamma\n', `  - env: gamma\n    env_vars: { E2E_PYTHON: /nowhere/${SECRET}/python3 }\n`);
  writeFileSync(join(root, 'e2e-matrix.yaml'), matrix);
  const summary = join(root, 'step-summary.md');
  writeFileSync(summary, '');
  const rules = `docker|*| logs |print=gateway-1 | password=${SECRET}\\n`;
  const r = await runCli(['run', '--set', `AUTH_PASS=${SECRET}`, '--report', 'out/report.json', '--junit', 'out/junit.xml'], {
    cwd: root,
    env: project.env({ FAKE_RULES: rules, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }),
  });
  expect(r.code).toBe(1);
  const outputs: [string, string][] = [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
    ['report', readFileSync(join(root, 'out', 'report.json'), 'utf8')],
    ['junit', readFileSync(join(root, 'out', 'junit.xml'), 'utf8')],
    ['step summary', readFileSync(summary, 'utf8')],
    ...readdirSync(project.logDir).filter((f) => f.endsWith('.log')).map((f): [string, string] => [f, readFileSync(join(project!.logDir, f), 'utf8')]),
  ];
  // Every way did happen (each output says so, masked) ...
  const log = (env: string) => readFileSync(join(project!.logDir, `.parallel-${env}.log`), 'utf8');
  expect(log('alpha')).toContain('token: ***');
  // The long line is cut at 64 KiB after it is masked: the secret it straddled is *** whole.
  expect(log('alpha')).toMatch(/aaaa\*\*\* ta\nil\n/);
  expect(log('alpha')).toContain('coloured ***');
  expect(log('beta')).toContain('http://***@127.0.0.1:9/health');
  expect(log('gamma')).toMatch(/\/nowhere\/\*\*\*\/python3: command not found/);
  expect(existsSync(join(project.logDir, '.parallel-alpha.compose.log'))).toBe(true);
  expect(readFileSync(join(project.logDir, '.parallel-alpha.compose.log'), 'utf8')).toContain('password=***');
  expect(r.stdout).toContain('http://***@127.0.0.1:9/health');
  // ... and the secret is in none of them, not even in parts split by colour codes.
  for (const [name, text] of outputs) {
    expect(text.includes(SECRET), `${name} holds the secret`).toBe(false);
    expect(text.includes('hunter\x1b[31m2secret'), `${name} holds the coloured secret`).toBe(false);
  }
});
