/**
 * TLS for admins without a reverse proxy: the certificate and key files are
 * read at start and checked again every few seconds; when either changed
 * (a renewed certificate), the new pair replaces the old one for new
 * connections. A pair that does not load keeps the old one and is logged.
 */
import { readFileSync, statSync } from 'node:fs';
import { readTls } from '../config/server.js';
import type { Logger } from '../base/log.js';

/**
 * TLS 1.2 with ECDHE key exchange and AEAD ciphers only (forward secrecy, no
 * static-RSA or CBC suites), and TLS 1.3 (all of its suites qualify).
 */
export const TLS_OPTIONS = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const;

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** The files' content for fastify's `https` option; throws an error naming the bad file. */
export function readTlsPair(files: TlsFiles): { cert: string; key: string } {
  const problem = readTls(files.certFile, files.keyFile);
  if (problem) throw new Error(`server.tls.${problem.key}: ${problem.message}`);
  return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') };
}

export interface TlsWatcher {
  /** Checks the files now; true when a new pair was loaded. */
  check(): boolean;
  stop(): void;
}

export function watchTls(files: TlsFiles, apply: (pair: { cert: string; key: string }) => void, options: { log: Logger; intervalMs: number }): TlsWatcher {
  const stamp = (): string => {
    try {
      return [files.certFile, files.keyFile]
        .map((f) => {
          const s = statSync(f);
          return `${s.mtimeMs}:${s.size}:${s.ino}`;
        })
        .join('|');
    } catch {
      return 'missing';
    }
  };
  let seen = stamp();
  const check = (): boolean => {
    const now = stamp();
    if (now === seen) return false;
    seen = now;
    try {
      // readTlsPair has loaded the pair into a context once, so it is known to work.
      apply(readTlsPair(files));
      options.log.info(`Loaded the new TLS certificate from ${files.certFile}`);
      return true;
    } catch (error) {
      options.log.error(`${(error as Error).message}; still serving the previous certificate`);
      return false;
    }
  };
  const timer = setInterval(check, options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
