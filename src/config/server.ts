/**
 * The `server` section: where the status server listens, who may read it,
 * who may act, which Host names it answers to, and TLS. The schema piece
 * checks each key; `resolveServer` checks the rules between keys, which
 * depend on the listen address in effect (DDNSD_LISTEN may replace it).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { parsePasswordHash } from '../password.js';
import { REDACTED } from '../base/log.js';
import type { Listen } from './listen.js';

export type AuthMode = 'none' | 'token' | 'basic';

export interface ServerSettings {
  listen: Listen;
  /** Who may read the page, /api/status, /healthz reasons and (without metricsToken) /metrics. */
  auth: AuthMode;
  /** Reads need no sign-in; actions still need the token. */
  publicRead: boolean;
  /** The bearer token: signs in for reads (auth: token) and starts cycles (POST /api/update). */
  token: string | undefined;
  /** A separate bearer token for /metrics (Prometheus). */
  metricsToken: string | undefined;
  basic: { username: string; passwordHash: string } | undefined;
  /** Extra Host names the server answers to (a reverse proxy's name, a DNS name on the LAN). */
  hosts: string[];
  tls: { certFile: string; keyFile: string } | undefined;
  /** `editing`: the settings page may change the config file (it needs auth: token or basic and a writable file). */
  editing: boolean;
  /** Signs session cookies: a fixed key for tests. Absent, the server makes one as it starts (`ddnsd run` keeps it in session.json: server/session.ts). */
  sessionKey?: string;
}

type Expected = (what: string) => (issue: { input?: unknown }) => string;
type Duration = (min: number, tooShort: string) => z.ZodType<number, unknown>;
type Problem = { path: (string | number)[]; message: string };

/** A Host name: a DNS name or an IP address, without port or scheme. */
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$|^\[?[0-9a-f:.]+\]?$/i;

/** The schema of `server`; `listen`, `expected` and `duration` come from schema.ts, so this file does not import it back. */
export function serverSchema(listen: z.ZodType<Listen, unknown>, expected: Expected, duration: Duration) {
  const secret = (what: string) =>
    z
      .string({ error: expected(what) })
      .min(8, { error: 'must be at least 8 characters' })
      .optional();
  return z
    .strictObject(
      {
        listen: listen.default({ host: '127.0.0.1', port: 8080 }),
        auth: z.enum(['none', 'token', 'basic'], { error: expected('none, token or basic') }).optional(),
        public_read: z.boolean({ error: expected('true or false') }).default(false),
        token: secret('a token string'),
        metrics_token: secret('a token string for Prometheus'),
        username: z
          .string({ error: expected('a user name') })
          .min(1, { error: 'must not be empty' })
          .optional(),
        password_hash: z.string({ error: expected('a password hash from ddnsd hash-password') }).optional(),
        editing: z.boolean({ error: expected('true or false: whether the settings page may change this file') }).default(true),
        hosts: z
          .array(
            z.string({ error: expected('a host name like ddnsd.office.lan') }).regex(HOST_NAME, {
              error: 'expected a host name or address without scheme or port, like ddnsd.office.lan or 192.168.1.37',
            }),
            { error: expected('a list of host names') },
          )
          .default([]),
        tls: z
          .strictObject(
            {
              cert_file: z.string({ error: expected('the path of a PEM certificate file') }).min(1),
              key_file: z.string({ error: expected('the path of a PEM private key file') }).min(1),
            },
            { error: expected('a mapping with cert_file and key_file') },
          )
          .optional(),
        nic_update: z
          .strictObject(
            {
              username: z
                .string({ error: expected('the username routers send') })
                .min(1, { error: 'must not be empty' })
                .optional(),
              password: z
                .string({ error: expected('the password routers send (a string, or ${VAR} from the environment)') })
                .min(8, { error: 'must be at least 8 characters' })
                .optional(),
              // One credential per link: what a router pushes with it is `push:<wan>`.
              users: z
                .array(
                  z.strictObject(
                    {
                      username: z.string({ error: expected('the username this router sends') }).min(1, { error: 'must not be empty' }),
                      password: z.string({ error: expected('the password this router sends') }).min(8, { error: 'must be at least 8 characters' }),
                      wan: z.string({ error: expected('the name of a link under wans:, e.g. lte') }),
                    },
                    { error: expected('a mapping with username, password and wan') },
                  ),
                  { error: expected('a list of { username, password, wan }') },
                )
                .optional(),
              max_age: duration(1000, 'must be at least 1s').optional(),
            },
            { error: expected('a mapping with username and password (or users), and optionally max_age') },
          )
          .optional(),
      },
      { error: expected('a mapping with listen, auth, token and the other server keys') },
    )
    .default({ listen: { host: '127.0.0.1', port: 8080 }, public_read: false, editing: true, hosts: [] });
}

export type RawServer = z.output<ReturnType<typeof serverSchema>>;

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function formatListen(listen: Listen): string {
  return listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
}

/**
 * The settings in effect, or problems (pushed to `problems`) when the keys
 * do not fit together. Beyond loopback reads need a sign-in unless the
 * config says `auth: none` with `public_read: true`.
 */
export function resolveServer(raw: RawServer, listen: Listen, dir: string, problems: Problem[]): ServerSettings {
  const at = (key: string, message: string): void => void problems.push({ path: key ? ['server', key] : ['server'], message });
  const where = `${formatListen(listen)}${listen === raw.listen ? '' : ' (DDNSD_LISTEN)'}`;
  const loopback = isLoopback(listen.host);
  const auth: AuthMode = raw.auth ?? (loopback ? 'none' : 'token');
  const fixes = 'set server.token (visitors sign in with it), or auth: basic with username and password_hash (ddnsd hash-password makes one)';
  if (auth === 'none' && !loopback && !raw.public_read) {
    at(
      'auth',
      `auth: none while listening on ${where}, beyond loopback: anyone who reaches the port would read the external address, hostnames, LAN addresses and errors; ${fixes}, or, if everyone on that network may read it, add public_read: true`,
    );
  }
  if (auth === 'token' && !raw.token) {
    const why = raw.auth
      ? 'auth: token needs server.token'
      : `ddnsd listens on ${where}, beyond loopback, so reads need a sign-in (auth: token by default) and server.token is not set`;
    at('token', `${why}; ${fixes}, or, to let everyone who reaches the port read the status, write auth: none with public_read: true`);
  }
  let basic: ServerSettings['basic'];
  if (auth === 'basic') {
    if (!raw.username) at('username', 'auth: basic needs a username');
    if (!raw.password_hash) at('password_hash', 'auth: basic needs password_hash; make one with: ddnsd hash-password (it reads the password from stdin)');
    else {
      const parsed = parsePasswordHash(raw.password_hash);
      if (typeof parsed === 'string') at('password_hash', parsed);
    }
    if (raw.username && raw.password_hash) basic = { username: raw.username, passwordHash: raw.password_hash.trim() };
  } else {
    for (const key of ['username', 'password_hash'] as const) if (raw[key] !== undefined) at(key, `is used only with auth: basic (auth is ${auth}); remove it or set auth: basic`);
  }
  const tls = raw.tls ? checkTls(raw.tls, dir, problems) : undefined;
  return {
    listen,
    auth,
    publicRead: auth === 'none' || raw.public_read,
    token: raw.token,
    metricsToken: raw.metrics_token,
    basic,
    editing: raw.editing,
    hosts: raw.hosts.map((h) =>
      h
        .toLowerCase()
        .replace(/^\[|\]$/g, '')
        .replace(/\.$/, ''),
    ),
    tls,
  };
}

/** Reads the certificate and key once, so a bad file stops ddnsd at start with its name. */
function checkTls(raw: { cert_file: string; key_file: string }, dir: string, problems: Problem[]): ServerSettings['tls'] {
  const certFile = isAbsolute(raw.cert_file) ? raw.cert_file : resolve(dir, raw.cert_file);
  const keyFile = isAbsolute(raw.key_file) ? raw.key_file : resolve(dir, raw.key_file);
  const problem = readTls(certFile, keyFile);
  if (problem) problems.push({ path: ['server', 'tls', problem.key], message: problem.message });
  return { certFile, keyFile };
}

/** Checks a certificate and key file pair; undefined when they make a usable TLS context. */
export function readTls(certFile: string, keyFile: string): { key: 'cert_file' | 'key_file'; message: string } | undefined {
  const read = (file: string, key: 'cert_file' | 'key_file'): string | { key: typeof key; message: string } => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
      return { key, message: `cannot read ${file} (${why}); it should hold the ${key === 'cert_file' ? 'certificate' : 'private key'} in PEM form` };
    }
  };
  const cert = read(certFile, 'cert_file');
  if (typeof cert !== 'string') return cert;
  const key = read(keyFile, 'key_file');
  if (typeof key !== 'string') return key;
  try {
    new X509Certificate(cert);
  } catch {
    return { key: 'cert_file', message: `${certFile} is not a PEM certificate (it should start with -----BEGIN CERTIFICATE-----)` };
  }
  try {
    // node:tls loads here, for the configs that name a certificate, not at every start.
    (createRequire(import.meta.url)('node:tls') as typeof import('node:tls')).createSecureContext({ cert, key });
  } catch (error) {
    return { key: 'key_file', message: `${keyFile} is not the private key of ${certFile} in PEM form (${(error as Error).message})` };
  }
  return undefined;
}

/** Secrets of the server section, for the redactor. */
export function serverSecrets(s: ServerSettings): string[] {
  return [s.token, s.metricsToken, s.basic?.passwordHash].filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The server section as `ddnsd check` prints it, secrets as [redacted]. */
export function effectiveServer(s: ServerSettings): Record<string, unknown> {
  const reads = s.auth === 'none' ? 'open to anyone who reaches the port' : s.publicRead ? 'open (public_read: true); actions need the token' : `need a sign-in (${s.auth})`;
  return {
    listen: formatListen(s.listen),
    auth: s.auth,
    reads,
    token: s.token ? REDACTED : '(none: POST /api/update is disabled)',
    ...(s.metricsToken ? { metrics_token: REDACTED } : {}),
    ...(s.basic ? { username: s.basic.username, password_hash: REDACTED } : {}),
    ...(s.hosts.length ? { hosts: s.hosts } : {}),
    ...(s.tls ? { tls: { cert_file: s.tls.certFile, key_file: s.tls.keyFile } } : {}),
  };
}
