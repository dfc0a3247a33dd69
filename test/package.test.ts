// The npm package: `npm pack` gives a tarball that installs into an empty folder and
// runs there, so an ESB repository can add esb-e2e as a dev dependency.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO } from './helpers/fake-project';

const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('packs, installs into an empty folder and answers --version there', () => {
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  const tarball = join(dir, out.trim().split('\n').pop()!);
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  execFileSync('npm', ['init', '-y'], { cwd: app, stdio: 'ignore' });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-dev', tarball], { cwd: app, stdio: 'ignore' });
  const printed = execFileSync('npx', ['--no-install', 'esb-e2e', '--version'], { cwd: app, encoding: 'utf8' });
  expect(printed.trim()).toBe(version);
  const help = execFileSync('npx', ['--no-install', 'esb-e2e', 'plan', '--help'], { cwd: app, encoding: 'utf8' });
  expect(help).toContain('--github-matrix');
}, 180_000);
