/** Self-signed certificates for the tests' TLS servers on loopback, made with openssl. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertOptions {
  /** Files `<name>.crt` and `<name>.key` in the folder (default `tls`). */
  name?: string;
  /** The subject's common name (default `ddnsd`). */
  cn?: string;
  /** `ec` (P-256, the default) or an openssl -newkey value such as `rsa:2048`. */
  keyType?: string;
}

/** Writes a certificate valid for 127.0.0.1, ::1 and localhost; returns the two file paths and their contents. */
export function selfSignedCert(dir: string, options: CertOptions = {}): { cert: string; key: string; certPem: string; keyPem: string } {
  const name = options.name ?? 'tls';
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const keyType = options.keyType ?? 'ec';
  const newKey = keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', keyType];
  const subject = ['-subj', `/CN=${options.cn ?? 'ddnsd'}`, '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost'];
  execFileSync('openssl', ['req', '-x509', ...newKey, '-nodes', '-days', '2', ...subject, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}
