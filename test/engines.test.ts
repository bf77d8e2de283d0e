/**
 * `npm ci` warns EBADENGINE for every installed package whose `engines.node`
 * refuses the running Node. ddnsd runs on Node 20.18.1 and newer, so no
 * package in the lock may refuse that, nor the Node running this suite; only
 * the test toolchain (vite 8 and its bundler) asks for 20.19, as the README says.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const lock = JSON.parse(readFileSync(resolve(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string }; optional?: boolean }>;
};
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
/** Test and build tools only, never in the bundle: vite 8 (vitest's), rolldown and its native bindings. */
const TOOLCHAIN = /^node_modules\/(vite|rolldown|@rolldown\/[^/]+|@napi-rs\/wasm-runtime)$/;

type Version = [number, number, number];
const parts = (text: string): (number | undefined)[] =>
  text
    .replace(/^v/, '')
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One comparator of a node-semver range (>=, >, <=, <, =, ^, ~, with x/* wildcards), as npm reads engines. */
function allows(version: Version, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*([0-9x*]+(?:\.[0-9x*]+){0,2})$/.exec(comparator);
  if (!m) throw new Error(`cannot read the engines comparator "${comparator}"`);
  const [a, b, c] = parts(m[2] ?? '');
  const op = m[1] ?? '=';
  // `*` (or `x`) alone: any version.
  if (a === undefined) return true;
  const low: Version = [a ?? 0, b ?? 0, c ?? 0];
  if (op === '>=') return compare(version, low) >= 0;
  if (op === '>') return compare(version, low) > 0;
  if (op === '<') return compare(version, low) < 0;
  if (op === '<=') return compare(version, low) <= 0;
  const sameMajor = version[0] === low[0];
  if (op === '^') return compare(version, low) >= 0 && (low[0] > 0 ? sameMajor : version[0] === 0 && version[1] === low[1]);
  if (op === '~') return compare(version, low) >= 0 && sameMajor && version[1] === low[1];
  // `10.*`, `10`, `10.2.x`: every version starting so.
  if (b === undefined) return sameMajor;
  if (c === undefined) return sameMajor && version[1] === low[1];
  return compare(version, low) === 0;
}

function satisfies(text: string, range: string): boolean {
  const version = parts(text) as Version;
  return range.split('||').some((set) =>
    set
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .every((c) => allows(version, c)),
  );
}

describe('engines', () => {
  it('reads ranges as npm does', () => {
    expect(satisfies('20.18.1', '>=22')).toBe(false);
    expect(satisfies('20.18.1', '>=18')).toBe(true);
    expect(satisfies('20.18.1', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('20.20.2', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('24.1.0', '10.* || >= 12.*')).toBe(true);
    expect(satisfies('11.0.0', '10.* || >= 12.*')).toBe(false);
    expect(satisfies('22.0.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies('23.0.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(false);
    expect(satisfies('20.18.1', '*')).toBe(true);
  });

  const oldest = pkg.engines.node.replace(/^>=\s*/, '');
  const installed = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.optional && p.engines?.node);

  it(`no package in the lock refuses Node ${oldest}, the oldest ddnsd supports (npm ci would warn EBADENGINE)`, () => {
    const refusing = installed.filter(([path, p]) => !TOOLCHAIN.test(path) && !satisfies(oldest, p.engines?.node ?? '')).map(([path, p]) => `${path} ${p.engines?.node}`);
    expect(refusing).toEqual([]);
  });

  it(`no package in the lock refuses the Node running the tests (${process.version})`, () => {
    const refusing = installed.filter(([, p]) => !satisfies(process.version, p.engines?.node ?? '')).map(([path, p]) => `${path} ${p.engines?.node}`);
    expect(refusing).toEqual([]);
  });
});
