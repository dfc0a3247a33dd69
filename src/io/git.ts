// The commit of the project root, read from .git without running git (ESB_TAG in CI).
import { join, resolve } from 'node:path';
import type { ProjectReader } from './reader';

export function gitSha(root: string, env: Readonly<Record<string, string | undefined>>, reader: ProjectReader): string | undefined {
  if (env.GITHUB_SHA && /^[0-9a-f]{7,40}$/i.test(env.GITHUB_SHA)) return env.GITHUB_SHA;
  let gitDir = join(resolve(root), '.git');
  try {
    if (reader.kind(gitDir) === 'file') {
      const m = /^gitdir:\s*(.+)$/m.exec(reader.readText(gitDir));
      if (!m) return undefined;
      gitDir = resolve(root, m[1]!.trim());
    }
    const head = reader.readText(join(gitDir, 'HEAD')).trim();
    if (/^[0-9a-f]{40}$/i.test(head)) return head;
    const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
    if (!ref) return undefined;
    if (reader.kind(join(gitDir, ref)) === 'file') return reader.readText(join(gitDir, ref)).trim() || undefined;
    if (reader.kind(join(gitDir, 'packed-refs')) !== 'file') return undefined;
    for (const line of reader.readText(join(gitDir, 'packed-refs')).split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && sha) return sha;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
