// Files a run writes and deletes: nothing but a regular file it owns is ever replaced or
// written through (a device, a symlink, a FIFO at an output path is refused before
// anything starts), no two outputs share a path, and reset never deletes through a link
// out of the project, nor the log dir.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outputProblem } from '../../src/io/files';
import { makeProject, runCli, type Project } from '../helpers/fake-project';

let project: Project | undefined;
let outside: string | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
  if (outside) rmSync(outside, { recursive: true, force: true });
  outside = undefined;
});

async function refused(args: string[], expected: RegExp) {
  project ??= makeProject({ envs: ['alpha'] });
  const r = await runCli(['run', ...args], { cwd: project.root, env: project.env() });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(expected);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(project.calls(), 'something was started').toEqual([]);
  return r;
}

describe('output files', () => {
  it('--report /dev/null: refused up front; /dev/null stays a device', async () => {
    await refused(['--report', '/dev/null'], /^esb-e2e: --report \/dev\/null: a character device is there, not a regular file/);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a symlinked report path: refused, and the link is left as it was', async () => {
    project = makeProject({ envs: ['alpha'] });
    const target = join(project.root, 'elsewhere.json');
    writeFileSync(target, 'precious');
    symlinkSync(target, join(project.root, 'report.json'));
    await refused(['--report', 'report.json'], /--report report\.json: a symlink is there, not a regular file/);
    expect(lstatSync(join(project.root, 'report.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(project.root, 'report.json'))).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('a FIFO at --junit: refused at once (never opened, so nothing waits on a reader)', async () => {
    project = makeProject({ envs: ['alpha'] });
    execFileSync('mkfifo', [join(project.root, 'junit.xml')]);
    await refused(['--junit', 'junit.xml'], /--junit junit\.xml: a FIFO is there/);
  });

  it('two outputs at one path, or a report over an env log: refused', async () => {
    await refused(['--report', 'out.x', '--junit', 'out.x'], /--report out\.x and --junit out\.x are one file/);
    await refused(['--report', 'e2e/.parallel-alpha.log'], /env "alpha"'s e2e\/\.parallel-alpha\.log and --report e2e\/\.parallel-alpha\.log are one file|--report e2e\/\.parallel-alpha\.log and env "alpha"'s e2e\/\.parallel-alpha\.log are one file/);
  });

  it("an env log that is a symlink out of the project: refused, and the link's target is untouched", async () => {
    project = makeProject({ envs: ['alpha'] });
    outside = mkdtempSync(join(tmpdir(), 'esb-e2e-outside-'));
    writeFileSync(join(outside, 'passwd'), 'root:x:0:0\n');
    mkdirSync(project.logDir);
    symlinkSync(join(outside, 'passwd'), join(project.logDir, '.parallel-alpha.log'));
    await refused([], /env "alpha"'s e2e\/\.parallel-alpha\.log: a symlink is there/);
    expect(readFileSync(join(outside, 'passwd'), 'utf8')).toBe('root:x:0:0\n');
  });

  it('outputProblem names what is at the path, and a file where a folder should be', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-outputs-'));
    try {
      writeFileSync(join(dir, 'file'), '');
      expect(outputProblem(join(dir, 'file'))).toBeNull();
      expect(outputProblem(join(dir, 'new', 'deeper', 'x.json'))).toBeNull();
      expect(outputProblem(dir)).toMatch(/^a folder is there/);
      expect(outputProblem(join(dir, 'file', 'x.json'))).toBe(`${join(dir, 'file')} is a file, not a folder`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deletion', () => {
  it("reset never follows a symlinked e2e/fixtures/.esb out of the project: the run is refused, the outside files stay", async () => {
    project = makeProject({ envs: ['alpha'] });
    outside = mkdtempSync(join(tmpdir(), 'esb-e2e-outside-'));
    mkdirSync(join(outside, 'alpha'));
    writeFileSync(join(outside, 'alpha', 'keep.txt'), 'not yours');
    mkdirSync(join(project.root, 'e2e', 'fixtures'), { recursive: true });
    symlinkSync(outside, join(project.root, 'e2e', 'fixtures', '.esb'));
    await refused([], /env "alpha": its state dir .*e2e\/fixtures\/\.esb\/alpha is .* once links are followed, outside the project root and the ESB cache/);
    expect(readFileSync(join(outside, 'alpha', 'keep.txt'), 'utf8')).toBe('not yours');
  });

  it('a log dir inside a dir that reset wipes: refused up front', async () => {
    await refused(['--log-dir', 'e2e/fixtures/.esb/alpha/logs'], /--log-dir e2e\/fixtures\/\.esb\/alpha\/logs is inside env "alpha"'s state dir/);
  });

  it('--test-only wipes nothing, so its state dirs are not checked', async () => {
    project = makeProject({ envs: ['alpha'] });
    outside = mkdtempSync(join(tmpdir(), 'esb-e2e-outside-'));
    mkdirSync(join(project.root, 'e2e', 'fixtures'), { recursive: true });
    symlinkSync(outside, join(project.root, 'e2e', 'fixtures', '.esb'));
    const r = await runCli(['run', '--test-only'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
  });
});
