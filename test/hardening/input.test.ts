// Bad and pathological input, through the built CLI: each ends in exit 2 with one message
// naming the file, flag or value, nothing started, no stack trace, never exit 70 and never
// a hang. Numbers are bounded, empty values are not "unset", interpolation sees only real
// keys, and validation messages name the value.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, runCli, type Project } from '../helpers/fake-project';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** Runs `esb-e2e <args>` on a fresh project set up by `prepare`; it must end in exit 2 saying `message`. */
async function rejects(args: string[], message: RegExp, prepare: (p: Project) => void = () => undefined) {
  project?.cleanup();
  project = makeProject({ envs: ['alpha'] });
  prepare(project);
  const r = await runCli(args, { cwd: project.root, env: project.env() });
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(project.calls(), 'something was started').toEqual([]);
}

const matrixOf = (p: Project) => join(p.root, 'e2e-matrix.yaml');
const editMatrix = (p: Project, edit: (text: string) => string) => writeFileSync(matrixOf(p), edit(readFileSync(matrixOf(p), 'utf8')));

describe('numbers are bounded', () => {
  it('a timeout past what a timer holds is refused, on the command line and in the matrix', async () => {
    await rejects(['run', '--timeout', 'test=99999999999'], /--timeout.*test: at most 2147483 seconds, about 24 days \(got "99999999999"\)/);
    await rejects(['run'], /e2e-matrix\.yaml:\d+:\d+: matrix\[0\]\.timeouts\.test: must be at most 2147483 seconds \(about 24 days\) \(got 1e\+21\)/, (p) =>
      editMatrix(p, (t) => t.replace('    suites: [smoke]\n', '    suites: [smoke]\n    timeouts: { test: 1e21 }\n')),
    );
  });

  it('--jobs and --shard have upper bounds too', async () => {
    await rejects(['run', '--jobs', '100000'], /--jobs.*at most 1000/);
    await rejects(['plan', '--shard', '1/100000'], /--shard.*at most 1000 shards/);
  });
});

describe('pathological files', () => {
  it('a YAML alias bomb', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    await rejects(['plan'], /^esb-e2e: e2e-matrix\.yaml: refused: it repeats an alias too often/, (p) => writeFileSync(matrixOf(p), `${bomb}\n`));
  });

  it('a matrix that is not UTF-8', async () => {
    await rejects(['plan'], /^esb-e2e: e2e-matrix\.yaml: cannot read the matrix: is not UTF-8 text/, (p) => writeFileSync(matrixOf(p), Buffer.from([0x73, 0x75, 0xff, 0xfe, 0x00, 0x0a])));
  });

  it('a matrix with a UTF-16 byte order mark that is not UTF-16 (an odd byte count)', async () => {
    await rejects(['plan'], /^esb-e2e: e2e-matrix\.yaml: cannot read the matrix: starts with a UTF-16BE byte order mark but is not UTF-16BE text \(save it as UTF-8\)/, (p) =>
      writeFileSync(matrixOf(p), Buffer.from([0xfe, 0xff, 0x00, 0x6d, 0x00])),
    );
  });

  it('a UTF-16 .env with its BOM is read as such (not as empty, not garbled)', async () => {
    project = makeProject({ envs: ['alpha'] });
    writeFileSync(join(project.root, 'envs', 'alpha', '.env'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('FROM_UTF16=yes\n', 'utf16le')]));
    const r = await runCli(['plan', '--json'], { cwd: project.root, env: project.env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { envs: { env: Record<string, string> }[] }).envs[0]!.env.FROM_UTF16).toBe('yes');
  });

  it('exponential and 1000-deep interpolation in a .env', async () => {
    const doubling = Array.from({ length: 40 }, (_, i) => `V${i}=\${V${i + 1}}\${V${i + 1}}`).join('\n') + '\nV40=xxxxxxxx\n';
    await rejects(['plan'], /envs\/alpha\/\.env: V\d+: its value grows past 128 KiB once its references are expanded/, (p) => writeFileSync(join(p.root, 'envs', 'alpha', '.env'), doubling));
    const deep = Array.from({ length: 1000 }, (_, i) => `D${i}=\${D${i + 1}}`).join('\n') + '\nD1000=end\n';
    await rejects(['plan'], /envs\/alpha\/\.env: D\d+: references nest deeper than 100/, (p) => writeFileSync(join(p.root, 'envs', 'alpha', '.env'), deep));
  });

  it('a .env that is a folder, a FIFO given as env_file', async () => {
    await rejects(['plan'], /matrix\[0\] \(the \.env of its env dir\): env file is not a file: .*envs\/alpha\/\.env/, (p) => {
      rmSync(join(p.root, 'envs', 'alpha', '.env'));
      mkdirSync(join(p.root, 'envs', 'alpha', '.env'));
    });
    await rejects(['plan'], /matrix\[0\]\.env_file: env file is not a file: .*fifo\.env/, (p) => {
      execFileSync('mkfifo', [join(p.root, 'fifo.env')]);
      editMatrix(p, (t) => t.replace('    suites: [smoke]\n', '    suites: [smoke]\n    env_file: fifo.env\n'));
    });
  });

  it('an env name that would make file names too long', async () => {
    const long = 'e'.repeat(200);
    await rejects(['plan'], new RegExp(`matrix\\[0\\]\\.env: must be at most 63 characters .*\\(got "e{57}\\.\\.\\."\\)`), (p) => editMatrix(p, (t) => t.replace('env: alpha', `env: ${long}`)));
  });

  it('a value too large for what the OS hands a process names the variable', async () => {
    await rejects(['plan'], /^esb-e2e: env "alpha": HUGE is 201 KiB, more than one variable can hold \(128 KiB\)$/m, (p) =>
      writeFileSync(join(p.root, 'envs', 'alpha', '.env'), `HUGE=${'x'.repeat(200 * 1024)}\n`),
    );
  });
});

describe('empty values are not absent', () => {
  it.each([
    [['run', '--env', ''], /--env.*expected names separated by commas/],
    [['run', '--env', 'alpha,,'], /--env.*expected names separated by commas/],
    [['run', '--log-dir', ''], /--log-dir.*must not be empty/],
    [['plan', '--matrix', ''], /--matrix.*must not be empty/],
    [['run', '--report', ''], /--report.*must not be empty/],
    [['run', '--suite', ' '], /--suite.*expected names separated by commas/],
  ])('%j', async (args, message) => {
    await rejects(args, message);
  });
});

describe('interpolation sees only real keys', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('${%s} has no value', async (name) => {
    await rejects(['plan'], new RegExp(`matrix\\[0\\]\\.env_vars\\.X: \\$\\{${name}\\} has no value and no default`), (p) =>
      editMatrix(p, (t) => t.replace('    suites: [smoke]\n', `    suites: [smoke]\n    env_vars: { X: "\${${name}}" }\n`)),
    );
  });
});

describe('validation messages name the value', () => {
  it('an invalid env name says which value is wrong', async () => {
    await rejects(['plan'], /matrix\[0\]\.esb_env: must match \^\[a-z0-9\]\[a-z0-9_-\]\*\$ .* \(got "\.\.\/x"\)/, (p) => editMatrix(p, (t) => t.replace('env: alpha', 'esb_env: ../x')));
  });
});
