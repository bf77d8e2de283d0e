/**
 * Values from outside the file: `${VAR}` (and `${VAR:-default}`, `$$` for a
 * dollar) from the environment and `.env` files, and `<key>_file` read from
 * a file (Docker and Kubernetes secrets).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { PathKey, Problem } from './lines.js';
import { describeValue } from './schema.js';

/** `.env` beside the config and in the working directory; the real environment wins. */
export function loadEnv(options: { env: Record<string, string | undefined>; cwd: string }, dir: string): Record<string, string | undefined> {
  const read = (file: string): Record<string, string> => (existsSync(file) ? parseDotenv(readFileSync(file)) : {});
  return { ...read(resolve(options.cwd, '.env')), ...read(resolve(dir, '.env')), ...options.env };
}

export interface ResolveContext {
  env: Record<string, string | undefined>;
  dir: string;
  problems: Problem[];
  /** Where a value read from `key_file` stands in the YAML. */
  fileKeys: Map<string, PathKey[]>;
}

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands `${VAR}` (and `${VAR:-default}`, `$$` for a dollar) and reads `<key>_file` files. */
export function resolveValues(value: unknown, path: PathKey[], ctx: ResolveContext): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const v = ctx.env[name ?? ''];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      ctx.problems.push({
        path,
        message: `environment variable ${name} is not set; set it, or put ${name}=… in a .env file beside the config`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValues(v, [...path, i], ctx));
  if (typeof value !== 'object' || value === null) return value;

  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    // server.tls's cert_file and key_file are paths ddnsd watches, not secrets to read in.
    if (!key.endsWith('_file') || key === '_file' || path.join('.') === 'server.tls') {
      out[key] = resolveValues(v, [...path, key], ctx);
      continue;
    }
    const base = key.slice(0, -'_file'.length);
    const at = [...path, key];
    if (base in obj) {
      ctx.problems.push({ path: at, message: `set either ${base} or ${key}, not both` });
      continue;
    }
    const filePath = resolveValues(v, at, ctx);
    if (typeof filePath !== 'string' || filePath === '') {
      ctx.problems.push({ path: at, message: `expected the path of a file holding ${base}, got ${describeValue(v)}` });
      continue;
    }
    const full = resolve(ctx.dir, filePath);
    try {
      const content = readFileSync(full, 'utf8').trim();
      if (content === '') ctx.problems.push({ path: at, message: `${full} is empty; it should hold ${base}` });
      out[base] = content;
      ctx.fileKeys.set([...path, base].join('\0'), at);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
      ctx.problems.push({ path: at, message: `cannot read ${full} (${why}); it should hold ${base}` });
    }
  }
  return out;
}
