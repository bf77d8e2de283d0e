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
import type { AnyProviderDefinition } from '../base/provider.js';
import { FAMILIES, type Family } from '../base/address.js';
import { DEFAULT_SOURCES, resolveSource, type Source } from '../detect/sources.js';
import { ConfigError } from '../base/errors.js';
import { entrySecrets, parseProviders, type ProviderEntry } from './entries.js';
import { loadEnv, resolveValues } from './expand.js';
import { formatPath, lineOf, type PathKey, type Problem, type YamlSource } from './lines.js';
import { zodProblems } from './problems.js';
import { explainYamlError, explainYamlValueError } from './yaml-errors.js';
import { configSchema, INTERPRETED, parseListen, type Listen } from './schema.js';
import { checksSchema, type ChecksConfig } from './checks.js';
import { notifySchema, notifySecrets, type TargetConfig } from '../notify/config.js';
import { checkPushUsers, resolveWans, wansSchema, type NicUser, type WanConfig } from './wans.js';

/** The whole file's contract: the top level plus the reachability checks and notification targets. */
const fileSchema = configSchema.extend({ checks: checksSchema, notify: notifySchema, wans: wansSchema });
import { resolveServer, serverSecrets, type ServerSettings } from './server.js';

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
  /** The file's text when it is not read from disk (a settings page checking an edit of `path`). */
  text?: string | undefined;
}

/** One problem at its key path and line, as the settings page shows it; ConfigError.located holds these. */
export interface LocatedProblem {
  path: string;
  line: number | undefined;
  message: string;
}

/** The problems of a ConfigError with their lines, or one problem without a line when it has none. */
export function locatedProblems(error: ConfigError): LocatedProblem[] {
  const located = (error as ConfigError & { located?: LocatedProblem[] }).located;
  return located ?? error.problems.map((message) => ({ path: '(top level)', line: undefined, message }));
}

function configError(source: string, located: LocatedProblem[], problems: string[]): ConfigError {
  return Object.assign(new ConfigError(source, problems), { located });
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

/**
 * Loads the config with only the provider adapters the file asks for, or
 * throws ConfigError listing every problem: `load` gets
 * the types its entries name, or undefined when an entry's type is missing
 * or not plain text, or an entry asks for what only some adapters can do
 * (every adapter is then needed, for the message).
 */
export async function loadConfigFor(options: Omit<LoadOptions, 'providers'>, load: (types: string[] | undefined) => Promise<readonly AnyProviderDefinition[]>): Promise<Config> {
  const read = readConfig(options);
  return buildConfig(read, await load(typesNamed(read.raw)));
}

/** Keys that ask an adapter for more than one address per name: their messages name every type that can. */
const ABILITY_KEYS = ['wan_mode', 'owned', 'delete_on_stop'];

/** The provider types a file's entries name, before any checking. */
function typesNamed(raw: unknown): string[] | undefined {
  const entries = (raw as { providers?: unknown } | null)?.providers ?? [];
  if (!Array.isArray(entries)) return undefined;
  if (entries.some((entry: unknown) => typeof entry === 'object' && entry !== null && ABILITY_KEYS.some((k) => k in entry))) return undefined;
  const types = entries.map((entry: unknown) => (entry as { type?: unknown } | null)?.type);
  return types.every((t): t is string => typeof t === 'string' && !t.includes('$')) ? types : undefined;
}

/** The file read and parsed as YAML, not yet checked. */
export interface Read {
  raw: unknown;
  file: string | undefined;
  dir: string;
  env: Record<string, string | undefined>;
  yaml: YamlSource | undefined;
}

/** Finds and reads the file, or takes `text` for it (readConfig then buildConfig is loadConfigFor with the adapters at hand). */
export function readConfig(options: Omit<LoadOptions, 'providers'>): Read {
  if (options.text !== undefined) return parseConfig(options, options.text);
  const located = locateConfig(options);
  const exists = existsSync(located.path);
  if (!exists && located.explicit) {
    throw new ConfigError(located.path, [`the config file ${located.path} does not exist; create it from config.example.yaml, or point --config / DDNSD_CONFIG at the right file`]);
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
  return parseConfig(options, text);
}

function parseConfig(options: Omit<LoadOptions, 'providers'>, text: string): Read {
  const file = locateConfig(options).path;
  const dir = dirname(file);
  const env = loadEnv(options, dir);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The parser often reports one mistake several times on a line: each message once a line.
    const messages = doc.errors.map((e) => explainYamlError(e, text, lines));
    const key = (m: string): string => m.replace(/, column \d+/, '');
    const unique = messages.filter((m, i) => messages.findIndex((n) => key(n) === key(m)) === i);
    throw configError(file, unique.map(locatedMessage), unique);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    throw new ConfigError(file, [explainYamlValueError(error as Error)]);
  }
  return { raw: raw ?? {}, file, dir, env, yaml: { doc, lines } };
}

/** Throws the problems, each with its key path and line. */
function failer(read: Read, problems: Problem[], fileKeys: Map<string, PathKey[]>): () => never {
  return () => {
    const located = problems.map((p) => {
      const yamlPath = fileKeys.get(p.path.join('\0')) ?? p.path;
      return { path: formatPath(yamlPath), line: read.yaml ? lineOf(read.yaml, yamlPath) : undefined, message: p.message };
    });
    const where = (p: LocatedProblem): string => `${p.path}${p.line ? ` (line ${p.line})` : ''}`;
    throw configError(
      read.file ?? 'built-in default',
      located,
      located.map((p) => `${where(p)}: ${p.message}`),
    );
  };
}

/** A YAML syntax message ("line 3, column 9: …") as a problem at its line. */
function locatedMessage(message: string): LocatedProblem {
  const at = /^line (\d+), /.exec(message);
  return { path: '(top level)', line: at ? Number(at[1]) : undefined, message: at ? message.slice(at[0].length) : message };
}

export interface ServerConfig {
  file: string | undefined;
  server: ServerSettings;
  /** The server's secrets, for the redactor. */
  secrets: string[];
}

/**
 * Only the `server` section, for `ddnsd health`: the rest of the file is not
 * checked and its ${VAR}s are not expanded, so a health check run without the
 * providers' secrets (a service manager's environment file) still works.
 */
export function loadServerConfig(options: Omit<LoadOptions, 'providers'>): ServerConfig {
  const read = readConfig(options);
  const problems: Problem[] = [];
  const fileKeys = new Map<string, PathKey[]>();
  const fail = failer(read, problems, fileKeys);
  const overrides = envOverrides(read.env, read.file);
  const raw = (read.raw as { server?: unknown } | null)?.server;
  const resolved = resolveValues({ server: raw ?? {} }, [], { env: read.env, dir: read.dir, problems, fileKeys }) as { server: unknown };
  if (problems.length > 0) fail();
  const parsed = configSchema.shape.server.safeParse(resolved.server, INTERPRETED);
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error, ['server'], []));
    fail();
  }
  const section = parsed.data as z.infer<typeof configSchema>['server'];
  const server = resolveServer(section, overrides.listen ?? section.listen, read.dir, problems);
  if (problems.length > 0) fail();
  return { file: read.file, server, secrets: [...serverSecrets(server), section.nic_update?.password].filter((s): s is string => typeof s === 'string' && s.length > 0) };
}

/** Checks what was read against the adapters its entries may name; throws ConfigError listing every problem. */
export function buildConfig(read: Read, registry: readonly AnyProviderDefinition[]): Config {
  const { raw, file } = read;
  const input = { dir: read.dir, env: read.env, registry };
  const overrides = envOverrides(input.env, file);
  const problems: Problem[] = [];
  const fileKeys = new Map<string, PathKey[]>();
  const resolved = resolveValues(raw, [], { env: input.env, dir: input.dir, problems, fileKeys });
  const fail = failer(read, problems, fileKeys);
  if (problems.length > 0) fail();

  const top = fileSchema.safeParse(resolved, INTERPRETED);
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
  const secrets = [...serverSecrets(server), ...users.map((u) => u.password), ...entrySecrets(providers), ...notifySecrets(cfg.notify)].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
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
      problems.push(
        `environment variable DDNSD_STATE (it replaces state): "${state}" is not a file path; write it like /data/state.json, without surrounding spaces or a trailing slash`,
      );
    } else out.state = state;
  }
  if (problems.length > 0) throw new ConfigError(file ?? 'built-in default', problems);
  return out;
}
