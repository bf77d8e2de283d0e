/**
 * Finding, reading and validating the config. This is the only module that
 * reads the environment for settings. Every problem names the key path, the
 * line, what was wrong and how to fix it; all problems are reported at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { findProvider, PROVIDERS } from '../../providers/index.js';
import type { CommonSettings, ProviderDefinition } from '../../providers/types.js';
import { FAMILIES, FAMILY_LABEL, type Family } from '../detect/address.js';
import { DEFAULT_SOURCES, resolveSource, type Source } from '../detect/sources.js';
import { ConfigError } from '../errors.js';
import { REDACTED } from '../log.js';
import { formatDuration } from './duration.js';
import { configSchema, describeValue, parseListen, type Listen } from './schema.js';
import { effectiveServer, resolveServer, SERVER_KEYS, serverSecrets, type ServerSettings } from './server.js';

export interface ProviderEntry {
  /** Position in `providers`, for messages: `providers[1]`. */
  index: number;
  definition: ProviderDefinition;
  settings: CommonSettings & Record<string, unknown>;
  /** Families this entry updates. */
  families: Family[];
  /** Changes whenever the entry's settings change: clears "needs attention". */
  fingerprint: string;
}

export interface Config {
  /** The file read, or undefined when running on the built-in default. */
  file: string | undefined;
  intervalMs: number;
  refreshMs: number;
  statePath: string;
  detect: {
    sources: Record<Family, Source[]>;
    families: Family[];
    agree: number;
    timeoutMs: number;
  };
  server: ServerSettings;
  providers: ProviderEntry[];
  /** Every secret value, for the redactor. */
  secrets: string[];
}

export interface LoadOptions {
  /** `--config FILE`. */
  path?: string | undefined;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface Located {
  path: string;
  /** Named by --config or DDNSD_CONFIG: a missing file is then an error. */
  explicit: boolean;
}

export function locateConfig(options: LoadOptions): Located {
  const named = options.path ?? options.env.DDNSD_CONFIG;
  if (named) return { path: resolve(options.cwd, named), explicit: true };
  return { path: resolve(options.cwd, 'config.yaml'), explicit: false };
}

type PathKey = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

/** Loads the config, or throws ConfigError listing every problem. */
export function loadConfig(options: LoadOptions): Config {
  const located = locateConfig(options);
  const exists = existsSync(located.path);
  if (!exists && located.explicit) {
    throw new ConfigError(located.path, [
      `the config file ${located.path} does not exist; create it from config.example.yaml, or point --config / DDNSD_CONFIG at the right file`,
    ]);
  }
  const dir = exists ? dirname(located.path) : options.cwd;
  const env = loadEnv(options, dir);
  if (!exists) return buildConfig({}, undefined, dir, env, undefined);

  let text: string;
  try {
    text = readFileSync(located.path, 'utf8');
  } catch (error) {
    throw new ConfigError(located.path, [`cannot read ${located.path}: ${(error as Error).message}`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      located.path,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `line ${pos.line}, column ${pos.col}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  return buildConfig(raw, located.path, dir, env, { doc, lines });
}

/** `.env` beside the config and in the working directory; the real environment wins. */
function loadEnv(options: LoadOptions, dir: string): Record<string, string | undefined> {
  const read = (file: string): Record<string, string> => (existsSync(file) ? parseDotenv(readFileSync(file)) : {});
  return { ...read(resolve(options.cwd, '.env')), ...read(resolve(dir, '.env')), ...options.env };
}

interface Source_ {
  doc: Document;
  lines: LineCounter;
}

function buildConfig(
  raw: unknown,
  file: string | undefined,
  dir: string,
  env: Record<string, string | undefined>,
  yaml: Source_ | undefined,
): Config {
  const overrides = envOverrides(env, file);
  const problems: { path: PathKey[]; message: string }[] = [];
  const fileKeys = new Map<string, PathKey[]>();
  const resolved = resolveValues(raw, [], { env, dir, problems, fileKeys });
  const where = (path: PathKey[]): string => {
    const yamlPath = fileKeys.get(path.join('\0')) ?? path;
    const line = yaml ? lineOf(yaml, yamlPath) : undefined;
    return `${formatPath(yamlPath)}${line ? ` (line ${line})` : ''}`;
  };
  const fail = (): never => {
    throw new ConfigError(file ?? 'built-in default', problems.map((p) => `${where(p.path)}: ${p.message}`));
  };
  if (problems.length > 0) fail();

  const top = configSchema.safeParse(resolved);
  if (!top.success) {
    problems.push(...zodProblems(top.error, []));
    fail();
  }
  const cfg = top.data as z.infer<typeof configSchema>;

  const sources = { ipv4: [], ipv6: [] } as Record<Family, Source[]>;
  for (const family of FAMILIES) {
    const refs = family === 'ipv4' ? (cfg.detect.ipv4 ?? DEFAULT_SOURCES.ipv4) : cfg.detect.ipv6;
    refs.forEach((ref, i) => {
      const source = resolveSource(ref, family);
      if (typeof source === 'string') problems.push({ path: ['detect', family, i], message: source });
      else sources[family].push(source);
    });
  }
  const families = FAMILIES.filter((f) => sources[f].length > 0);
  if (families.length === 0 && problems.length === 0) {
    problems.push({ path: ['detect'], message: 'no sources for IPv4 or IPv6; list at least one under detect.ipv4 or detect.ipv6' });
  }

  const providers: ProviderEntry[] = [];
  const seen = new Map<string, number>();
  cfg.providers.forEach((entry, index) => {
    const parsed = parseProvider(entry, index, families, problems);
    if (!parsed) return;
    for (const host of parsed.settings.hosts) {
      const key = `${parsed.definition.type} ${host}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({ path: ['providers', index, 'hosts'], message: `${host} is already listed in providers[${first}]; list each host once` });
      } else seen.set(key, index);
    }
    providers.push(parsed);
  });
  const server = resolveServer(cfg.server, overrides.listen ?? cfg.server.listen, dir, problems);
  if (problems.length > 0) fail();

  const secrets = [...serverSecrets(server), ...providers.flatMap((p) => p.definition.secrets.map((k) => p.settings[k]))].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const state = overrides.state ?? cfg.state;
  return {
    file,
    intervalMs: cfg.interval,
    refreshMs: cfg.refresh,
    statePath: isAbsolute(state) ? state : resolve(dir, state),
    detect: { sources, families, agree: cfg.detect.agree, timeoutMs: cfg.detect.timeout },
    server,
    providers,
    secrets,
  };
}

/**
 * Settings a service manager or container image sets without touching the
 * file: DDNSD_LISTEN replaces server.listen and DDNSD_STATE replaces state
 * (the image sets DDNSD_LISTEN=0.0.0.0:8080 and DDNSD_STATE=/data/state.json).
 */
function envOverrides(env: Record<string, string | undefined>, file: string | undefined): { listen?: Listen; state?: string } {
  const out: { listen?: Listen; state?: string } = {};
  const problems: string[] = [];
  const listen = env.DDNSD_LISTEN;
  if (listen !== undefined && listen !== '') {
    const parsed = parseListen(listen);
    if (typeof parsed === 'string') problems.push(`environment variable DDNSD_LISTEN (it replaces server.listen): ${parsed}; or unset it to use the config's server.listen`);
    else out.listen = parsed;
  }
  const state = env.DDNSD_STATE;
  if (state !== undefined && state !== '') {
    if (state.trim() !== state || state.endsWith('/')) {
      problems.push(`environment variable DDNSD_STATE (it replaces state): "${state}" is not a file path; write it like /data/state.json, without surrounding spaces or a trailing slash`);
    } else out.state = state;
  }
  if (problems.length > 0) throw new ConfigError(file ?? 'built-in default', problems);
  return out;
}

function parseProvider(
  entry: unknown,
  index: number,
  detected: Family[],
  problems: { path: PathKey[]; message: string }[],
): ProviderEntry | undefined {
  const path: PathKey[] = ['providers', index];
  const types = PROVIDERS.map((p) => p.type).join(', ');
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push({ path, message: `expected a provider entry (a mapping with type, hosts and credentials), got ${describeValue(entry)}` });
    return undefined;
  }
  const type = (entry as { type?: unknown }).type;
  if (type === undefined) {
    problems.push({ path: [...path, 'type'], message: `missing; expected one of ${types}` });
    return undefined;
  }
  const definition = typeof type === 'string' ? findProvider(type) : undefined;
  if (!definition) {
    problems.push({ path: [...path, 'type'], message: `unknown provider ${describeValue(type)}; expected one of ${types}` });
    return undefined;
  }
  const result = definition.schema.safeParse(entry);
  if (!result.success) {
    problems.push(...zodProblems(result.error, path));
    return undefined;
  }
  const settings = result.data as CommonSettings & Record<string, unknown>;
  const families: Family[] = [];
  for (const family of FAMILIES) {
    const wanted = settings[family];
    if (wanted === true && !detected.includes(family)) {
      problems.push({
        path: [...path, family],
        message: `${family}: true, but no ${FAMILY_LABEL[family]} sources are configured; add some under detect.${family} or remove this key`,
      });
    }
    if (wanted !== false && detected.includes(family)) families.push(family);
  }
  if (families.length === 0 && problems.length === 0) {
    problems.push({ path, message: 'updates no address family: enable ipv4 or ipv6 for this entry' });
  }
  const fingerprint = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
  return { index, definition, settings, families, fingerprint };
}

function zodProblems(error: z.ZodError, prefix: PathKey[]): { path: PathKey[]; message: string }[] {
  const out: { path: PathKey[]; message: string }[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...(issue.path as PathKey[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggest(key);
        out.push({ path: [...path, key], message: `unknown key${hint ? `; did you mean "${hint}"?` : ''}` });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Unions here are "string or number": the first branch's message says it best.
      out.push({ path, message: issue.message });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** Every key name ddnsd knows, for "did you mean". */
function knownKeys(): string[] {
  const keys = new Set(['interval', 'refresh', 'state', 'detect', 'server', 'providers', 'ipv4', 'ipv6', 'agree', 'timeout', ...SERVER_KEYS]);
  for (const p of PROVIDERS) {
    const shape = (p.schema as unknown as { shape?: Record<string, unknown> }).shape;
    for (const key of Object.keys(shape ?? {})) keys.add(key);
  }
  return [...keys];
}

function suggest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of knownKeys()) {
    const d = distance(key.toLowerCase(), known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

interface ResolveContext {
  env: Record<string, string | undefined>;
  dir: string;
  problems: { path: PathKey[]; message: string }[];
  /** Where a value read from `key_file` stands in the YAML. */
  fileKeys: Map<string, PathKey[]>;
}

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands `${VAR}` (and `${VAR:-default}`, `$$` for a dollar) and reads `<key>_file` files. */
function resolveValues(value: unknown, path: PathKey[], ctx: ResolveContext): unknown {
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

/** The line of a key (or list item) in the YAML, or of its nearest ancestor that exists. */
function lineOf(source: Source_, path: PathKey[]): number | undefined {
  type Node = { range?: [number, number, number]; items?: ({ key?: { value?: unknown; range?: [number, number, number] } } & Node)[] };
  for (let n = path.length; n > 0; n--) {
    const parent = source.doc.getIn(path.slice(0, n - 1), true) as Node | undefined;
    const key = path[n - 1];
    const item =
      typeof key === 'number'
        ? parent?.items?.[key]?.range
        : parent?.items?.find((pair) => pair.key?.value === key)?.key?.range;
    if (item) return source.lines.linePos(item[0]).line;
  }
  return undefined;
}

/** The config as ddnsd understood it, with every secret redacted: `ddnsd check` prints it. */
export function effectiveConfig(config: Config): Record<string, unknown> {
  return {
    file: config.file ?? '(none: built-in default)',
    interval: formatDuration(config.intervalMs),
    refresh: formatDuration(config.refreshMs),
    state: config.statePath,
    detect: {
      ipv4: config.detect.sources.ipv4.map((s) => s.url),
      ipv6: config.detect.sources.ipv6.map((s) => s.url),
      agree: config.detect.agree,
      timeout: formatDuration(config.detect.timeoutMs),
    },
    server: effectiveServer(config.server),
    providers: config.providers.map((p) => {
      const settings: Record<string, unknown> = { ...p.settings };
      for (const key of p.definition.secrets) if (key in settings) settings[key] = REDACTED;
      return { ...settings, timeout: formatDuration(p.settings.timeout), families: p.families };
    }),
  };
}
