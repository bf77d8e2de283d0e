/** Session cookies: only the exact value ddnsd signed is accepted. */
import { describe, expect, it } from 'vitest';
import { checkSession, signSession, SESSION_MS } from '../src/server/session.js';

const KEY = '11'.repeat(32);
const NOW = 1_700_000_000_000;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('session cookies', () => {
  it('accepts its own cookie until it expires', () => {
    const value = signSession(KEY, NOW);
    expect(checkSession(KEY, value, NOW + 1000)).toBe('valid');
    expect(checkSession(KEY, value, NOW + SESSION_MS)).toBe('expired');
    expect(checkSession('22'.repeat(32), value, NOW)).toBe('tampered');
  });

  it('refuses every other spelling of the signature, even one that decodes to the same bytes', () => {
    const value = signSession(KEY, NOW);
    const last = value.at(-1) as string;
    // The last character's two low bits are spare: these four characters decode alike.
    const base = B64URL.indexOf(last) & ~3;
    const twins = [0, 1, 2, 3].map((i) => B64URL[base + i] as string).filter((c) => c !== last);
    expect(twins).toHaveLength(3);
    for (const c of twins) {
      const other = value.slice(0, -1) + c;
      expect(Buffer.from(other.split('.')[2] as string, 'base64url')).toEqual(Buffer.from(value.split('.')[2] as string, 'base64url'));
      expect(checkSession(KEY, other, NOW)).toBe('tampered');
    }
  });
});
