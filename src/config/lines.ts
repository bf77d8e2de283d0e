/** Where a key stands: its path for messages, and its line in the YAML. */
import type { Document, LineCounter } from 'yaml';

export type PathKey = string | number;

/** One problem with the config, at a key path. */
export interface Problem {
  path: PathKey[];
  message: string;
}

export interface YamlSource {
  doc: Document;
  lines: LineCounter;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

/** The line of a key (or list item) in the YAML, or of its nearest ancestor that exists. */
export function lineOf(source: YamlSource, path: PathKey[]): number | undefined {
  type Node = { range?: [number, number, number]; items?: ({ key?: { value?: unknown; range?: [number, number, number] } } & Node)[] };
  for (let n = path.length; n > 0; n--) {
    const parent = source.doc.getIn(path.slice(0, n - 1), true) as Node | undefined;
    const key = path[n - 1];
    const item = typeof key === 'number' ? parent?.items?.[key]?.range : parent?.items?.find((pair) => pair.key?.value === key)?.key?.range;
    if (item) return source.lines.linePos(item[0]).line;
  }
  return undefined;
}
