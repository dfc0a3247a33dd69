// src/git.ts: the commit sha read from .git files (no git process), or GITHUB_SHA.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitSha } from '../../src/io/git';
import { diskReader } from '../../src/io/reader';
import { memoryReader } from '../helpers/memory-reader';

const SHA_MAIN = '1111111111111111111111111111111111111111';
const SHA_PACKED = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';
const SHA_DETACHED = '0123456789abcdef0123456789abcdef01234567';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'esb-e2e-git-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('gitSha', () => {
  it('HEAD -> ref -> loose ref file', () => {
    const root = repo({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${SHA_MAIN}\n` });
    expect(gitSha(root, {}, diskReader)).toBe(SHA_MAIN);
  });

  it('HEAD -> ref found only in packed-refs', () => {
    const root = repo({
      '.git/HEAD': 'ref: refs/heads/feature/x\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${SHA_MAIN} refs/heads/main\n${SHA_PACKED} refs/heads/feature/x\n^${SHA_DETACHED}\n`,
    });
    expect(gitSha(root, {}, diskReader)).toBe(SHA_PACKED);
  });

  it('a loose ref wins over packed-refs', () => {
    const root = repo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/refs/heads/main': `${SHA_MAIN}\n`,
      '.git/packed-refs': `${SHA_PACKED} refs/heads/main\n`,
    });
    expect(gitSha(root, {}, diskReader)).toBe(SHA_MAIN);
  });

  it('detached HEAD holds the sha itself', () => {
    const root = repo({ '.git/HEAD': `${SHA_DETACHED}\n` });
    expect(gitSha(root, {}, diskReader)).toBe(SHA_DETACHED);
  });

  it('a worktree: .git is a file pointing at the git dir', () => {
    const root = repo({
      'real-git/HEAD': 'ref: refs/heads/wt\n',
      'real-git/refs/heads/wt': `${SHA_PACKED}\n`,
      '.git': 'gitdir: real-git\n',
    });
    expect(gitSha(root, {}, diskReader)).toBe(SHA_PACKED);
  });

  it('GITHUB_SHA wins when it is a hex sha', () => {
    const root = repo({ '.git/HEAD': `${SHA_DETACHED}\n` });
    expect(gitSha(root, { GITHUB_SHA: SHA_MAIN }, diskReader)).toBe(SHA_MAIN);
  });

  it('a GITHUB_SHA that is not hex is ignored', () => {
    const root = repo({ '.git/HEAD': `${SHA_DETACHED}\n` });
    expect(gitSha(root, { GITHUB_SHA: 'not-a-sha' }, diskReader)).toBe(SHA_DETACHED);
  });

  it('no .git: undefined', () => {
    const root = repo({ 'README.md': '' });
    expect(gitSha(root, {}, diskReader)).toBeUndefined();
  });

  it('a ref that exists nowhere: undefined', () => {
    const root = repo({ '.git/HEAD': 'ref: refs/heads/gone\n', '.git/packed-refs': `${SHA_MAIN} refs/heads/main\n` });
    expect(gitSha(root, {}, diskReader)).toBeUndefined();
  });

  it('an unreadable HEAD: undefined, no throw', () => {
    const root = repo({ '.git/config': '' });
    expect(gitSha(root, {}, diskReader)).toBeUndefined();
  });

  it('reads through the reader it is given (in memory)', () => {
    const reader = memoryReader({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${SHA_MAIN}\n` });
    expect(gitSha(reader.root, {}, reader)).toBe(SHA_MAIN);
    expect(reader.calls.map((c) => c.path)).toContain(reader.abs('.git/HEAD'));
  });
});
