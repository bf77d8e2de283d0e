/**
 * node:crypto for ddnsd's own modules in the bundle, loaded at the first call
 * rather than as they load (build.mjs puts this module where src/ and
 * providers/ import `node:crypto`). Its first load sets up OpenSSL: about
 * 1–2 MiB and a few milliseconds that `ddnsd once` with a dyndns2 entry never
 * needs (the entry's fingerprint is src/base/sha256.ts), where session
 * cookies, TSIG, DNS query ids and password hashes do. A name src/ imports
 * that is missing here stops the build. The tsc build and the tests use
 * node:crypto as it is.
 */
import { createRequire } from 'node:module';

let loaded;
const crypto = () => (loaded ??= createRequire(import.meta.url)('node:crypto'));

export const createHash = (...args) => crypto().createHash(...args);
export const createHmac = (...args) => crypto().createHmac(...args);
export const randomBytes = (...args) => crypto().randomBytes(...args);
export const randomInt = (...args) => crypto().randomInt(...args);
export const randomUUID = (...args) => crypto().randomUUID(...args);
export const scrypt = (...args) => crypto().scrypt(...args);
export const timingSafeEqual = (...args) => crypto().timingSafeEqual(...args);
export function X509Certificate(...args) {
  return new (crypto().X509Certificate)(...args);
}
