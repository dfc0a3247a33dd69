// Where a YAML path is in its file, as `file:line:col`: a scalar value itself, else the
// key of its mapping entry or its item in a list; for a path that is not there (a missing
// key), the deepest part that is.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Place {
  (path: readonly PropertyKey[]): string;
  /** Where in the text the path (or its deepest existing part) starts, or `end`s: for ordering. */
  offset(path: readonly PropertyKey[], end?: boolean): number;
}

export function placeOf(doc: Document, lines: LineCounter, file: string): Place {
  const find = (path: readonly PropertyKey[], end: boolean): number | undefined => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (node as Node | null)?.range?.[end ? 1 : 0];
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === part);
        if (!pair) break;
        node = pair.value;
        // A value that is one scalar is placed at itself (what is wrong is usually the value); else at its key.
        const at = isScalar(node) ? node : (pair.key as Node | null);
        offset = end ? ((node as Node | null)?.range?.[1] ?? offset) : (at?.range?.[0] ?? offset);
      } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
        node = node.items[part];
        offset = (node as Node).range?.[end ? 1 : 0] ?? offset;
      } else break;
    }
    return offset;
  };
  const at = ((path: readonly PropertyKey[]) => {
    const offset = find(path, false);
    if (offset === undefined) return file;
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  }) as Place;
  at.offset = (path, end = false) => find(path, end) ?? 0;
  return at;
}
