/**
 * Password hashes for `server.auth: basic`: scrypt from node:crypto, stored as
 *
 *   scrypt$<log2 N>$<r>$<p>$<salt, base64>$<hash, base64>
 *
 * e.g. `scrypt$15$8$1$Zm9v…$YmFy…`. `ddnsd hash-password` makes one. The
 * config keeps only the hash, never the password.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface PasswordHash {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
/** What `ddnsd hash-password` uses: 2^15 rounds take about 50 ms and 32 MiB, so guessing is slow. */
const DEFAULTS = { logN: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** Parses a stored hash, or says what is wrong with it. */
export function parsePasswordHash(text: string): PasswordHash | string {
  const m = FORMAT.exec(text.trim());
  const how = 'make one with: ddnsd hash-password (it reads the password from stdin)';
  if (!m) return `not a password hash in the form scrypt$15$8$1$<salt>$<hash>; ${how}`;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (logN < 14 || logN > 20 || r < 8 || r > 32 || p < 1 || p > 4) {
    return `scrypt parameters ${logN}/${r}/${p} are outside what ddnsd accepts (log2 N 14-20, r 8-32, p 1-4); ${how}`;
  }
  if (salt.length < 16 || hash.length !== KEY_LENGTH) return `the salt or the hash has the wrong length; ${how}`;
  return { logN, r, p, salt, hash };
}

function derive(password: string, salt: Buffer, params: { logN: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, DEFAULTS);
  return `scrypt$${DEFAULTS.logN}$${DEFAULTS.r}$${DEFAULTS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `password` matches; the comparison takes the same time whatever the input. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const key = await derive(password, stored.salt, stored);
  return timingSafeEqual(key, stored.hash);
}
