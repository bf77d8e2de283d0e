/**
 * The shape the codebase keeps: adapters talk to the rest of ddnsd only
 * through the provider kit, and no function grows past what a reader holds
 * in mind at once.
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
  const adapters = tsFiles('providers').filter((f) => !f.startsWith('providers/kit/') && f !== 'providers/index.ts' && f !== 'providers/registry.ts');

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
