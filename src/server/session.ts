/**
 * Session cookies for `auth: token`: `<expiry>.<nonce>.<HMAC-SHA256>`, signed
 * with a key made at start and kept in memory (a restart signs everyone out).
 * The cookie says nothing but when it expires.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'ddnsd_session';
/** A sign-in lasts 12 hours. */
export const SESSION_MS = 12 * 3600_000;

export type SessionCheck = 'valid' | 'expired' | 'tampered';

const mac = (key: string, payload: string): Buffer => createHmac('sha256', Buffer.from(key, 'hex')).update(payload).digest();

export function signSession(key: string, now: number): string {
  const payload = `${now + SESSION_MS}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export function checkSession(key: string, value: string, now: number): SessionCheck {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(value);
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

/** Set-Cookie for a session (or, with an empty value, one that deletes it). */
export function sessionCookie(value: string, secure: boolean): string {
  const age = value ? Math.floor(SESSION_MS / 1000) : 0;
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${age}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
