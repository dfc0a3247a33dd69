// An in-memory ProjectReader: a tree of files given as { relative path: content } under
// a made-up root. Folders are every ancestor of a file plus any path ending in "/".
// It records each call, so tests can see what planning looked at (and that it only read).
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { ProjectReader } from '../../src/io/reader';

export interface ReaderCall {
  readonly op: 'kind' | 'readText' | 'md5' | 'list';
  readonly path: string;
}

export interface MemoryReader extends ProjectReader {
  readonly root: string;
  readonly calls: ReaderCall[];
  /** Absolute path of a project-relative path. */
  abs(rel: string): string;
}

export function memoryReader(tree: Readonly<Record<string, string>>, root = '/mem/project'): MemoryReader {
  const files = new Map<string, string>();
  const dirs = new Set<string>();
  const addDir = (dir: string) => {
    let d = resolve(dir);
    while (!dirs.has(d)) {
      dirs.add(d);
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  };
  addDir(root);
  for (const [rel, content] of Object.entries(tree)) {
    const abs = resolve(root, rel);
    if (rel.endsWith('/')) addDir(abs);
    else {
      files.set(abs, content);
      addDir(dirname(abs));
    }
  }
  const calls: ReaderCall[] = [];
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  return {
    root,
    calls,
    abs: (rel) => join(root, rel),
    kind(path) {
      calls.push({ op: 'kind', path });
      const p = resolve(path);
      if (files.has(p)) return 'file';
      if (dirs.has(p)) return 'dir';
      return undefined;
    },
    readText(path) {
      calls.push({ op: 'readText', path });
      const content = files.get(resolve(path));
      if (content === undefined) throw enoent(path);
      return content;
    },
    md5(path) {
      calls.push({ op: 'md5', path });
      const content = files.get(resolve(path));
      return content === undefined ? undefined : createHash('md5').update(content).digest('hex');
    },
    list(path) {
      calls.push({ op: 'list', path });
      const p = resolve(path);
      if (!dirs.has(p)) return [];
      const names = new Set<string>();
      for (const entry of [...files.keys(), ...dirs]) {
        if (dirname(entry) === p && entry !== p) names.add(entry.slice(p.length + 1));
      }
      return [...names].sort();
    },
  };
}

/** A small project in the new shape: `e2e-matrix.yaml` at the root, env dirs under envs/. */
export function newShapeTree(
  matrix: string,
  envs: readonly string[],
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const tree: Record<string, string> = {
    'e2e-matrix.yaml': matrix,
    'tests/smoke/test_a.py': 'def test_a():\n    pass\n',
    'tests/full/test_b.py': 'def test_b():\n    pass\n',
    'e2e/fixtures/template.yaml': 'Resources: {}\n',
  };
  for (const env of envs) {
    tree[`envs/${env}/docker-compose.yml`] = 'services: {}\n';
    tree[`envs/${env}/.env`] = `FROM_FILE=${env}\nPORT_GATEWAY_HTTPS=0\n`;
  }
  return { ...tree, ...extra };
}

/** A deterministic "random": bytes*2 hex chars, different per call (a counter). */
export function counterRandom(): (bytes: number) => string {
  let n = 0;
  return (bytes) => {
    n += 1;
    const unit = n.toString(16).padStart(2, '0');
    return unit.repeat(bytes).slice(0, bytes * 2);
  };
}
