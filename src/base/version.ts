/** ddnsd's version, read from its package.json wherever the code runs from (src/ or dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ddnsd' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const VERSION = readVersion();
/** Where a provider's operator can find out who is calling: No-IP rejects generic agents. */
export const CONTACT_URL = 'https://www.npmjs.com/package/ddnsd';
/** `ddnsd/<version> <contact>`, the form dyndns2 services ask clients to send. */
export const USER_AGENT = `ddnsd/${VERSION} ${CONTACT_URL}`;
