/**
 * The bundle loads each part only where it is used: the status server
 * (fastify, prom-client) for `run`, the checks and notifications when they
 * are configured, nodemailer at the first email, a provider adapter (and the
 * libraries only it uses) when the config names its type. Read from the bundle's
 * metafile (npm run build writes it): what each command loads at its start is
 * its chunk and the chunks those import statically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const META = join(import.meta.dirname, '../dist/bundle-meta.json');

interface Output {
  imports: { path: string; kind: string }[];
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

function outputs(): Record<string, Output> {
  if (!existsSync(META)) throw new Error(`${META} is missing: run npm run build first`);
  return (JSON.parse(readFileSync(META, 'utf8')) as { outputs: Record<string, Output> }).outputs;
}

/** Every input (source file, library file or Node.js module) loaded when `entry`'s chunk loads, before any dynamic import. */
function loadedAtStart(outs: Record<string, Output>, entry: string): string[] {
  const start = Object.keys(outs).find((k) => outs[k]?.entryPoint === entry);
  if (!start) throw new Error(`no chunk for ${entry} in the bundle`);
  const seen = new Set([start]);
  const todo = [start];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    for (const i of outs[next]?.imports ?? []) {
      if (i.kind === 'import-statement' && outs[i.path] && !seen.has(i.path)) {
        seen.add(i.path);
        todo.push(i.path);
      }
    }
  }
  const builtins = [...seen].flatMap((o) => (outs[o]?.imports ?? []).filter((i) => i.kind === 'import-statement' && i.path.startsWith('node:')).map((i) => i.path));
  return [...seen].flatMap((o) => Object.keys(outs[o]?.inputs ?? {})).concat(builtins);
}

const LATER = [
  /node_modules\/fastify\//,
  /node_modules\/prom-client\//,
  /node_modules\/nodemailer\//,
  /src\/server\/index\.ts$/,
  /src\/notify\/index\.ts$/,
  /src\/reach\/index\.ts$/,
];

describe('the bundle loads what a command needs only', () => {
  it.each(['src/commands/once.ts', 'src/commands/check.ts', 'src/commands/run.ts', 'src/commands/doctor.ts'])(
    '%s starts without the server, the checks, the notifications or nodemailer',
    (entry) => {
      const loaded = loadedAtStart(outputs(), entry);
      expect(loaded).toContain(entry);
      expect(loaded.some((f) => f.includes('node_modules/zod/'))).toBe(true);
      expect(loaded.filter((f) => LATER.some((re) => re.test(f)))).toEqual([]);
    },
  );

  it('the command line itself and health load no library, and health no TLS unless the server has it', () => {
    const outs = outputs();
    for (const entry of ['src/cli.ts', 'src/commands/health.ts']) expect(loadedAtStart(outs, entry).filter((f) => f.includes('node_modules/'))).toEqual([]);
    const health = loadedAtStart(outs, 'src/commands/health.ts');
    expect(health).toContain('node:http');
    expect(health.filter((f) => /^node:(https|tls)$/.test(f))).toEqual([]);
  });

  it.each(['src/commands/once.ts', 'src/commands/check.ts'])('%s starts without node:crypto (OpenSSL set up) or node:dgram: they load at their first use', (entry) => {
    const loaded = loadedAtStart(outputs(), entry);
    expect(loaded.filter((f) => /^node:(crypto|dgram)$/.test(f))).toEqual([]);
    // What src/ imports from node:crypto comes through the stand-in that loads it at the first call.
    expect(loaded).toContain('scripts/bundle/crypto-when-used.mjs');
    expect(loaded).toContain('src/base/sha256.ts');
  });

  it("undici's files in the bundle call assert(value) and nothing else of node:assert, which the bundle's stand-in is", () => {
    const undici = Object.values(outputs()).flatMap((o) => Object.keys(o.inputs).filter((f) => f.includes('node_modules/undici/')));
    expect(undici.length).toBeGreaterThan(20);
    const other = [...new Set(undici)].filter((f) => /\bassert\.\w|require\(['"]assert['"]\)/.test(readFileSync(join(import.meta.dirname, '..', f), 'utf8')));
    expect(other).toEqual([]);
    const loaded = loadedAtStart(outputs(), 'src/commands/once.ts');
    expect(loaded).toContain('scripts/bundle/assert-lean.cjs');
    expect(loaded.filter((f) => f === 'node:assert' || f === 'node:perf_hooks')).toEqual([]);
  });

  it.each(['src/commands/once.ts', 'src/commands/run.ts'])('%s starts without any provider adapter or the libraries only adapters use', (entry) => {
    const loaded = loadedAtStart(outputs(), entry);
    // The registry knows the dyndns2 preset types from their table, which is data only.
    const adapters = loaded.filter((f) => /^providers\/(?!kit\/|registry\.ts$|dyndns2\/presets\.ts$)/.test(f));
    expect(adapters).toEqual([]);
    expect(loaded.filter((f) => /node_modules\/(aws4|fast-xml-parser)\//.test(f))).toEqual([]);
    expect(loaded).toContain('providers/registry.ts');
  });

  it.each(['providers/duckdns/index.ts', 'providers/dyndns2/index.ts', 'providers/cloudflare/index.ts'])(
    '%s loads without the AWS signer and the XML parser (Route 53 loads them at its first request)',
    (entry) => {
      expect(loadedAtStart(outputs(), entry).filter((f) => /node_modules\/(aws4|fast-xml-parser)\//.test(f))).toEqual([]);
    },
  );

  it('each provider adapter is a chunk of its own', () => {
    const entries = Object.values(outputs()).map((o) => o.entryPoint);
    for (const type of ['duckdns', 'dyndns2', 'cloudflare', 'route53', 'rfc2136']) expect(entries).toContain(`providers/${type}/index.ts`);
  });

  it('the server, the checks, the notifications and nodemailer are chunks of their own', () => {
    const entries = Object.values(outputs()).map((o) => o.entryPoint);
    for (const entry of ['src/server/index.ts', 'src/reach/index.ts', 'src/notify/index.ts']) expect(entries).toContain(entry);
    expect(entries.some((e) => e?.includes('node_modules/nodemailer/'))).toBe(true);
  });
});
