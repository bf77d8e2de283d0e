/**
 * Session cookies for `auth: token`: `<expiry>.<nonce>.<HMAC-SHA256>`. The
 * cookie says nothing but when it expires. The signing key and the list of
 * signed-out sessions live in the state folder (`session.json`, mode 0600,
 * written atomically), so a restart keeps a signed-in tab signed in and a
 * signed-out cookie stays refused until it would have expired.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../base/log.js';
import { writeAtomically } from '../state.js';

export const SESSION_COOKIE = 'ddnsd_session';
/**
 * The cookie's name over TLS. A `__Host-` cookie is set only by this very
 * origin over https, with Path=/ and no Domain: another app on the same host
 * name (another port, a sub-domain) cannot plant one that shadows it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
/** A sign-in lasts 12 hours. */
export const SESSION_MS = 12 * 3600_000;
/** Signed-out sessions remembered at most (each until its expiry); the oldest go first. */
const MAX_REVOKED = 10_000;

export type SessionCheck = 'valid' | 'expired' | 'tampered' | 'revoked';

const mac = (key: string, payload: string): Buffer => createHmac('sha256', Buffer.from(key, 'hex')).update(payload).digest();
const FORM = /^(\d{1,16})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

export function signSession(key: string, now: number): string {
  const payload = `${now + SESSION_MS}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export function checkSession(key: string, value: string, now: number): Exclude<SessionCheck, 'revoked'> {
  const m = FORM.exec(value);
  if (!m) return 'tampered';
  // Compared as text: the last of 43 base64url characters carries two spare bits, so
  // four spellings decode to one MAC; only the one ddnsd wrote is accepted.
  const given = Buffer.from(m[3] ?? '');
  const wanted = Buffer.from(mac(key, `${m[1]}.${m[2]}`).toString('base64url'));
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'tampered';
  return Number(m[1]) > now ? 'valid' : 'expired';
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session cookie's name: `__Host-ddnsd_session` over TLS, `ddnsd_session` otherwise. */
export const sessionCookieName = (secure: boolean): string => (secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** Set-Cookie for a session (or, with an empty value, one that deletes it). */
export function sessionCookie(value: string, secure: boolean): string {
  const age = value ? Math.floor(SESSION_MS / 1000) : 0;
  return `${sessionCookieName(secure)}=${value}; Path=/; Max-Age=${age}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Signs, checks and ends sessions. */
export interface Sessions {
  sign(now: number): string;
  check(value: string, now: number): SessionCheck;
  /** Ends the session of a cookie ddnsd signed: refused from now on, until it would have expired. */
  revoke(value: string, now: number): Promise<void>;
  /** The signing key, for the redactor. */
  readonly key: string;
}

interface Saved {
  key: string;
  /** nonce → expiry (ms since the epoch) */
  revoked: Record<string, number>;
}

/** A new random key to sign session cookies with. */
export function newSessionKey(): string {
  return randomBytes(32).toString('hex');
}

/** Sessions kept in memory only (tests, and where no state folder is given): a restart signs everyone out. */
export function memorySessions(key: string, save: (saved: Saved) => Promise<void> = async () => {}, revoked = new Map<string, number>()): Sessions {
  let writing: Promise<void> = Promise.resolve();
  return {
    key,
    sign: (now) => signSession(key, now),
    check(value, now) {
      const result = checkSession(key, value, now);
      if (result !== 'valid') return result;
      const nonce = FORM.exec(value)?.[2] ?? '';
      return revoked.has(nonce) ? 'revoked' : 'valid';
    },
    async revoke(value, now) {
      const m = FORM.exec(value);
      if (!m || checkSession(key, value, now) !== 'valid') return;
      for (const [nonce, until] of revoked) if (until <= now) revoked.delete(nonce);
      while (revoked.size >= MAX_REVOKED) revoked.delete(revoked.keys().next().value as string);
      revoked.set(m[2] ?? '', Number(m[1]));
      const snapshot: Saved = { key, revoked: Object.fromEntries(revoked) };
      writing = writing.catch(() => {}).then(() => save(snapshot));
      await writing;
    },
  };
}

/** The file in the state folder that holds the signing key and the signed-out sessions. */
export const SESSION_FILE = 'session.json';

/**
 * Opens the sessions kept in `dir`: reads the key and the signed-out sessions,
 * or makes a new key and writes it (mode 0600). When the folder cannot be
 * written, sessions still work but end at a restart; the log says so.
 */
export async function openSessions(dir: string, options: { now: () => number; log?: Logger }): Promise<Sessions> {
  const log = options.log ?? silentLogger;
  const path = join(dir, SESSION_FILE);
  const saved = readSaved(path, log);
  const save = async (s: Saved): Promise<void> => writeAtomically(path, `${JSON.stringify(s)}\n`);
  const key = saved?.key ?? newSessionKey();
  const now = options.now();
  const revoked = new Map(Object.entries(saved?.revoked ?? {}).filter(([, until]) => until > now));
  if (!saved) {
    await save({ key, revoked: {} }).catch((error: Error) =>
      log.warn(`Cannot write ${path} (${error.message}): sign-ins on the status page will end when ddnsd restarts; let ddnsd write to its state folder`),
    );
  }
  const persist = async (s: Saved): Promise<void> =>
    save(s).catch((error: Error) => log.warn(`Cannot write ${path} (${error.message}): a signed-out session would be accepted again after a restart, until it expires`));
  return memorySessions(key, persist, revoked);
}

function readSaved(path: string, log: Logger): Saved | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') log.warn(`Cannot read ${path} (${(error as Error).message}): starting with a new session key, so everyone signs in again`);
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Saved>;
    if (typeof parsed.key !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.key)) throw new Error('no key');
    const revoked = Object.fromEntries(Object.entries(parsed.revoked ?? {}).filter((e): e is [string, number] => /^[A-Za-z0-9_-]{16}$/.test(e[0]) && Number.isFinite(e[1])));
    return { key: parsed.key, revoked };
  } catch {
    log.warn(`${path} is not a session file ddnsd wrote: starting with a new session key, so everyone signs in again`);
    return undefined;
  }
}
