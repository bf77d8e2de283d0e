/**
 * The shape the codebase keeps: layers that import only downwards, no import
 * loop between files or folders (`import type` included), adapters that talk
 * to the rest of ddnsd only through the provider kit, and no function longer
 * than a reader holds in mind at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
/** Lines a function may have, not counting the functions written inside it. */
const MAX_FUNCTION_LINES = 80;

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(source: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    // `typeof import('./x.js')` in a type.
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Why an adapter file may not import `spec`, or undefined when it may. */
function boundaryProblem(file: string, spec: string): string | undefined {
  if (spec.startsWith('node:')) return undefined;
  const folder = file.split('/').slice(0, 2).join('/');
  if (!spec.startsWith('.')) return `imports the package "${spec}": reach it through providers/kit/ (a re-export or a helper there)`;
  const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
  if (target === 'providers/kit/index.js' || target.startsWith(`${folder}/`)) return undefined;
  return `imports ${target}: an adapter imports only ../kit/index.js and files of its own folder`;
}

describe('the provider boundary', () => {
  const adapters = tsFiles('providers').filter((f) => !f.startsWith('providers/kit/') && f !== 'providers/registry.ts');

  it('finds the adapters', () => {
    expect(adapters).toEqual(expect.arrayContaining(['providers/duckdns/index.ts', 'providers/cloudflare/index.ts', 'providers/dyndns2/protocol.ts']));
  });

  it('adapters import only the kit and their own folder', () => {
    const problems = adapters.flatMap((file) =>
      specifiers(parse(file)).flatMap((spec) => {
        const problem = boundaryProblem(file, spec);
        return problem ? [`${file}: ${problem}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('the check itself catches a reach into src/ and a package', () => {
    expect(boundaryProblem('providers/duckdns/index.ts', '../../src/base/http.js')).toMatch(/imports src\/base\/http\.js/);
    expect(boundaryProblem('providers/duckdns/index.ts', 'undici')).toMatch(/package "undici"/);
    expect(boundaryProblem('providers/duckdns/index.ts', '../cloudflare/api.js')).toMatch(/imports providers\/cloudflare\/api\.js/);
    expect(boundaryProblem('providers/cloudflare/index.ts', './api.js')).toBeUndefined();
  });
});

/**
 * The layers, top to bottom: a file imports only files of its own layer or
 * of a layer below. A type two layers share lives in the lower one.
 */
const LAYERS: readonly { name: string; paths: readonly string[] }[] = [
  { name: 'entry', paths: ['src/bin.ts', 'src/cli.ts', 'src/help.ts', 'src/compile-cache.ts', 'src/code-cache.ts'] },
  { name: 'commands', paths: ['src/commands/', 'src/service/', 'src/health.ts'] },
  { name: 'main', paths: ['src/main.ts', 'src/loop.ts'] },
  { name: 'server/status', paths: ['src/server/', 'src/status.ts'] },
  { name: 'notify/reach/cycle', paths: ['src/notify/', 'src/reach/', 'src/cycle/'] },
  { name: 'config/detect', paths: ['src/config/', 'src/detect/', 'src/import/', 'src/state.ts', 'src/lan.ts'] },
  { name: 'adapters', paths: ['providers/registry.ts', 'providers/'] },
  { name: 'kit', paths: ['providers/kit/'] },
  { name: 'base', paths: ['src/base/', 'src/order.ts', 'src/password.ts'] },
];

/**
 * Edges that still point up, each with why; removed from every check below.
 * The test fails when one of them is gone, so the list only shrinks.
 */
const KNOWN_UPWARD: readonly { from: string; to: string; why: string }[] = [
  {
    from: 'src/config/load.ts',
    to: 'src/notify/config.ts',
    why: "the notify: schema, built from the registry of notification targets, whose files hold both a target's settings and its sender; it goes below config when the loader is handed the targets, as it is handed the provider adapters (notify/ imports nothing of config/, so this edge closes no loop)",
  },
];

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every file of src/ and providers/ with the files it imports (relative imports only; packages are not ours). */
function importGraph(): Graph {
  const files = [...tsFiles('src'), ...tsFiles('providers')];
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const targets = specifiers(parse(file))
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts'))
        .filter((target) => known.has(target));
      return [file, [...new Set(targets)]];
    }),
  );
}

/** The graph without the known upward edges. */
function withoutKnown(graph: Graph): Graph {
  return new Map([...graph].map(([file, targets]) => [file, targets.filter((t) => !KNOWN_UPWARD.some((k) => k.from === file && k.to === t))]));
}

/** The index of a file's layer in LAYERS (the longest matching path wins), or undefined. */
function layerOf(file: string): number | undefined {
  let best: { index: number; length: number } | undefined;
  LAYERS.forEach((layer, index) => {
    for (const path of layer.paths) {
      const matches = path.endsWith('/') ? file.startsWith(path) : file === path;
      if (matches && (!best || path.length > best.length)) best = { index, length: path.length };
    }
  });
  return best?.index;
}

/** An import from a lower layer to a higher one, or a file in no layer: each as `file: what is wrong`. */
function layerProblems(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (from === undefined) {
      out.push(`${file}: in no layer; add its path to LAYERS in test/structure.test.ts`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (to !== undefined && to < from) out.push(`${file} (${LAYERS[from]!.name}) imports ${target} (${LAYERS[to]!.name}), a layer above it`);
    }
  }
  return out;
}

/**
 * Every loop of the graph, one per strongly connected group, written as a path
 * that comes back to its start: `a.ts -> b.ts -> a.ts`.
 */
function cycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) groups.push(group);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return groups.map((group) => loopThrough(graph, new Set(group)).join(' -> '));
}

/** One path inside a strongly connected group from its first member (sorted) back to it. */
function loopThrough(graph: Graph, group: ReadonlySet<string>): string[] {
  const start = [...group].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** A file's folder for the folder check: `src/config`, `providers/cloudflare`; a file directly in src/ or providers/ stands alone. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

/** The graph between folders: an edge where some file of one imports some file of another. */
function folderGraph(graph: Graph): Graph {
  const out = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (!out.has(from)) out.set(from, new Set());
    for (const target of targets) if (folderOf(target) !== from) out.get(from)!.add(folderOf(target));
  }
  return new Map([...out].map(([folder, targets]) => [folder, [...targets]]));
}

/** Where src/ imports providers/: only the registry (which loads an adapter when the config names it). */
function coreToProviders(graph: Graph): string[] {
  return [...graph].flatMap(([file, targets]) =>
    file.startsWith('src/')
      ? targets
          .filter((t) => t.startsWith('providers/') && t !== 'providers/registry.ts')
          .map((t) => `${file} imports ${t}: src/ reaches providers/ only through providers/registry.ts`)
      : [],
  );
}

describe('layers and loops', () => {
  const graph = importGraph();
  const kept = withoutKnown(graph);

  it('every import points to the same layer or one below', () => {
    expect(layerProblems(kept)).toEqual([]);
  });

  it('no file imports itself back through others, import type included', () => {
    expect(cycles(kept)).toEqual([]);
  });

  it('no folder imports itself back through others', () => {
    expect(cycles(folderGraph(kept))).toEqual([]);
  });

  it('the kit stands on src/base/ only, and src/ reaches providers/ only through the registry', () => {
    const kitUp = [...kept].flatMap(([file, targets]) =>
      file.startsWith('providers/kit/') ? targets.filter((t) => t.startsWith('src/') && !t.startsWith('src/base/')).map((t) => `${file} imports ${t}`) : [],
    );
    expect(kitUp).toEqual([]);
    expect(coreToProviders(kept)).toEqual([]);
  });

  it('each known upward edge still exists (remove it from KNOWN_UPWARD once it is gone)', () => {
    for (const k of KNOWN_UPWARD) expect(graph.get(k.from) ?? [], `${k.from} -> ${k.to}`).toContain(k.to);
  });

  it('the checks themselves catch a planted loop, a folder loop, an upward import and a file in no layer', () => {
    const planted: Graph = new Map([
      ['src/cycle/a.ts', ['src/cycle/b.ts']],
      ['src/cycle/b.ts', ['src/cycle/c.ts']],
      ['src/cycle/c.ts', ['src/cycle/a.ts']],
      ['src/config/x.ts', ['src/detect/y.ts']],
      ['src/detect/y.ts', ['src/config/z.ts']],
      ['src/config/z.ts', []],
      ['src/base/low.ts', ['src/cycle/c.ts']],
      ['src/nowhere/n.ts', []],
    ]);
    expect(cycles(planted)).toEqual(['src/cycle/a.ts -> src/cycle/b.ts -> src/cycle/c.ts -> src/cycle/a.ts']);
    expect(cycles(folderGraph(planted))).toEqual(['src/config -> src/detect -> src/config']);
    expect(layerProblems(planted)).toEqual([
      'src/base/low.ts (base) imports src/cycle/c.ts (notify/reach/cycle), a layer above it',
      'src/nowhere/n.ts: in no layer; add its path to LAYERS in test/structure.test.ts',
    ]);
    expect(coreToProviders(new Map([['src/server/x.ts', ['providers/dyndns2/protocol.ts', 'providers/registry.ts']]]))).toEqual([
      'src/server/x.ts imports providers/dyndns2/protocol.ts: src/ reaches providers/ only through providers/registry.ts',
    ]);
  });
});

/** Functions longer than the limit, counting only their own lines (functions inside them count on their own). */
function longFunctions(file: string): string[] {
  const source = parse(file);
  const lines = (n: ts.Node): number => source.getLineAndCharacterOfPosition(n.end).line - source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const nested = (body: ts.Node): number => {
    let total = 0;
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) && 'body' in n && n.body) total += lines(n);
      else ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    return total;
  };
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const own = lines(n) - nested(n.body as ts.Node);
      const line = source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      if (own > MAX_FUNCTION_LINES) out.push(`${file}:${line} has ${own} lines of its own`);
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

describe('function length', () => {
  it(`no function in src/ or providers/ is longer than ${MAX_FUNCTION_LINES} lines of its own`, () => {
    expect([...tsFiles('src'), ...tsFiles('providers')].flatMap(longFunctions)).toEqual([]);
  });
});
