/**
 * Finding, reading and validating the config. This is the only module that
 * reads the environment for settings. Every problem names the key path, the
 * line, what was wrong and how to fix it; all problems are reported at once.
 * The pieces: ./expand.ts (${VAR}, .env, _file), ./lines.ts (key paths and
 * YAML lines), ./entries.ts (provider entries, by the registry passed in),
 * ./problems.ts and ./suggest.ts (messages), ./effective.ts (`ddnsd check`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { AnyProviderDefinition } from '../../providers/kit/types.js';
import { FAMILIES, type Family } from '../detect/address.js';
import { DEFAULT_SOURCES, resolveSource, type Source } from '../detect/sources.js';
import { ConfigError } from '../errors.js';
import { entrySecrets, parseProviders, type ProviderEntry } from './entries.js';
import { loadEnv, resolveValues } from './expand.js';
import { formatPath, lineOf, type PathKey, type Problem, type YamlSource } from './lines.js';
import { zodProblems } from './problems.js';
import { configSchema, parseListen, type Listen } from './schema.js';
import { checksSchema, type ChecksConfig } from '../reach/config.js';
import { notifySchema, notifySecrets, type TargetConfig } from '../notify/config.js';
import { checkPushUsers, resolveWans, wansSchema, type NicUser, type WanConfig } from './wans.js';

/** The whole file's contract: the top level plus the reachability checks and notification targets. */
const fileSchema = configSchema.extend({ checks: checksSchema, notify: notifySchema, wans: wansSchema });
import { resolveServer, serverSecrets, type ServerSettings } from './server.js';

export { effectiveConfig } from './effective.js';
export { formatPath } from './lines.js';
export type { ProviderEntry } from './entries.js';

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
  server: ServerSettings & {
    /** The dyndns2 endpoint for routers; `maxAgeMs`: how long a pushed address stays usable. */
    nicUpdate: { users: NicUser[]; maxAgeMs: number } | undefined;
  };
  /** The named links (`wans:`), each detected on its own. */
  wans: WanConfig[];
  providers: ProviderEntry[];
  /** Reachability checks; undefined when the file has no `checks:`. */
  checks: ChecksConfig | undefined;
  /** Notification targets. */
  notify: TargetConfig[];
  /** Every secret value, for the redactor. */
  secrets: string[];
}

export interface LoadOptions {
  /** `--config FILE`. */
  path?: string | undefined;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The provider adapters an entry's `type` may name. */
  providers: readonly AnyProviderDefinition[];
}

export interface Located {
  path: string;
  /** Named by --config or DDNSD_CONFIG: a missing file is then an error. */
  explicit: boolean;
}

export function locateConfig(options: Pick<LoadOptions, 'path' | 'env' | 'cwd'>): Located {
  const named = options.path ?? options.env.DDNSD_CONFIG;
  if (named) return { path: resolve(options.cwd, named), explicit: true };
  return { path: resolve(options.cwd, 'config.yaml'), explicit: false };
}

/** Loads the config, or throws ConfigError listing every problem. */
export function loadConfig(options: LoadOptions): Config {
  return buildConfig(readConfig(options), options.providers);
}

/**
 * loadConfig with only the provider adapters the file asks for: `load` gets
 * the types its entries name, or undefined when an entry's type is missing
 * or not plain text (every adapter is then needed, for the message).
 */
export async function loadConfigFor(
  options: Omit<LoadOptions, 'providers'>,
  load: (types: string[] | undefined) => Promise<readonly AnyProviderDefinition[]>,
): Promise<Config> {
  const read = readConfig(options);
  return buildConfig(read, await load(typesNamed(read.raw)));
}

/** The provider types a file's entries name, before any checking. */
function typesNamed(raw: unknown): string[] | undefined {
  const entries = (raw as { providers?: unknown } | null)?.providers ?? [];
  if (!Array.isArray(entries)) return undefined;
  const types = entries.map((entry: unknown) => (entry as { type?: unknown } | null)?.type);
  return types.every((t): t is string => typeof t === 'string' && !t.includes('$')) ? types : undefined;
}

/** The file read and parsed as YAML, not yet checked. */
interface Read {
  raw: unknown;
  file: string | undefined;
  dir: string;
  env: Record<string, string | undefined>;
  yaml: YamlSource | undefined;
}

function readConfig(options: Omit<LoadOptions, 'providers'>): Read {
  const located = locateConfig(options);
  const exists = existsSync(located.path);
  if (!exists && located.explicit) {
    throw new ConfigError(located.path, [
      `the config file ${located.path} does not exist; create it from config.example.yaml, or point --config / DDNSD_CONFIG at the right file`,
    ]);
  }
  const dir = exists ? dirname(located.path) : options.cwd;
  const env = loadEnv(options, dir);
  if (!exists) return { raw: {}, file: undefined, dir, env, yaml: undefined };

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
  return { raw: doc.toJS() ?? {}, file: located.path, dir, env, yaml: { doc, lines } };
}

function buildConfig(read: Read, registry: readonly AnyProviderDefinition[]): Config {
  const { raw, file, yaml } = read;
  const input = { dir: read.dir, env: read.env, registry };
  const overrides = envOverrides(input.env, file);
  const problems: Problem[] = [];
  const fileKeys = new Map<string, PathKey[]>();
  const resolved = resolveValues(raw, [], { env: input.env, dir: input.dir, problems, fileKeys });
  const fail = (): never => {
    const where = (path: PathKey[]): string => {
      const yamlPath = fileKeys.get(path.join('\0')) ?? path;
      const line = yaml ? lineOf(yaml, yamlPath) : undefined;
      return `${formatPath(yamlPath)}${line ? ` (line ${line})` : ''}`;
    };
    throw new ConfigError(file ?? 'built-in default', problems.map((p) => `${where(p.path)}: ${p.message}`));
  };
  if (problems.length > 0) fail();

  const top = fileSchema.safeParse(resolved);
  if (!top.success) {
    problems.push(...zodProblems(top.error, [], input.registry));
    fail();
  }
  const cfg = top.data as z.infer<typeof fileSchema>;
  const { sources, families } = detectSources(cfg.detect, problems);
  const wans = resolveWans(cfg.wans, problems);
  const providers = parseProviders(cfg.providers, { registry: input.registry, detected: families, problems, wans });
  const server = resolveServer(cfg.server, overrides.listen ?? cfg.server.listen, input.dir, problems);
  const users = checkPushUsers(cfg.server.nic_update, wans, problems, sources);
  if (problems.length > 0) fail();

  const nic = cfg.server.nic_update;
  const usesPush = FAMILIES.some((f) => sources[f].some((s) => s.kind === 'push'));
  if (usesPush && !nic) {
    problems.push({ path: ['detect'], message: 'the push source needs server.nic_update (username and password for the routers) to receive addresses; add it, or remove push' });
    fail();
  }
  const nicUpdate = nic && { users, maxAgeMs: nic.max_age ?? 2 * cfg.interval };
  const secrets = [...serverSecrets(server), ...users.map((u) => u.password), ...entrySecrets(providers), ...notifySecrets(cfg.notify)].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const state = overrides.state ?? cfg.state;
  return {
    file,
    intervalMs: cfg.interval,
    refreshMs: cfg.refresh,
    statePath: isAbsolute(state) ? state : resolve(input.dir, state),
    detect: { sources, families, agree: cfg.detect.agree, timeoutMs: cfg.detect.timeout },
    server: { ...server, nicUpdate },
    wans,
    providers,
    checks: cfg.checks,
    notify: cfg.notify,
    secrets,
  };
}

/** The sources of each family, and the families that have some. */
function detectSources(detect: z.infer<typeof configSchema>['detect'], problems: Problem[]): { sources: Record<Family, Source[]>; families: Family[] } {
  const sources = { ipv4: [], ipv6: [] } as Record<Family, Source[]>;
  for (const family of FAMILIES) {
    const refs = family === 'ipv4' ? (detect.ipv4 ?? DEFAULT_SOURCES.ipv4) : detect.ipv6;
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
  return { sources, families };
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
