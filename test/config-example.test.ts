import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { PROVIDERS } from '../providers/index.js';
import { tempDir, writeConfig } from './helpers/cli.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../config.example.yaml'), 'utf8');

/** The example with every commented provider entry uncommented (lines `  # - …` and `  #   …`). */
function uncommented(): string {
  return EXAMPLE.split('\n')
    .map((line) => (/^ {2}# (- | {2})/.test(line) ? `  ${line.slice(4)}` : line))
    .join('\n');
}

const ENV = {
  DUCKDNS_TOKEN: 'duck-placeholder-token',
  NOIP_USERNAME: 'office@example.net',
  NOIP_PASSWORD: 'noip-placeholder-pass',
  DYN_USER: 'home',
  DYN_PASS: 'dyn-placeholder-pass',
  CLOUDFLARE_API_TOKEN: 'cf-placeholder-token',
  DESEC_TOKEN: 'desec-placeholder-token',
  IPV64_KEY: 'ipv64-placeholder-key',
  HE_DDNS_KEY: 'he-placeholder-key',
  DYNU_USER: 'dynu-user',
  DYNU_IP_UPDATE_PASSWORD: 'dynu-placeholder-pass',
  OVH_DYNHOST_LOGIN: 'example.com-dyn',
  OVH_DYNHOST_PASSWORD: 'ovh-placeholder-pass',
  NAMECHEAP_DDNS_PASSWORD: 'namecheap-placeholder-pass',
  DYNV6_TOKEN: 'dynv6-placeholder-token',
  FREEDNS_TOKEN: 'freedns-placeholder-token',
  FREEDNS_TOKEN_V6: 'freedns-placeholder-token-v6',
  CLOUDNS_TOKEN: 'cloudns-placeholder-token',
  YDNS_USER: 'ydns-user',
  YDNS_SECRET: 'ydns-placeholder-secret',
};

describe('config.example.yaml', () => {
  it('validates as shipped', () => {
    const dir = tempDir();
    const config = loadConfig({ providers: PROVIDERS, path: writeConfig(dir, EXAMPLE), env: ENV, cwd: dir });
    expect(config.providers.map((p) => p.definition.type)).toEqual(['duckdns']);
  });

  it('validates with every provider example uncommented, one entry each', () => {
    const dir = tempDir();
    const text = uncommented();
    expect(text).not.toBe(EXAMPLE);
    const config = loadConfig({ providers: PROVIDERS, path: writeConfig(dir, text), env: ENV, cwd: dir });
    expect(config.providers.map((p) => p.definition.type)).toEqual([
      'duckdns', 'noip', 'dyndns2', 'cloudflare',
      'desec', 'ipv64', 'he', 'dynu', 'ovh', 'namecheap', 'dynv6', 'freedns', 'cloudns', 'url',
    ]);
    expect(config.providers[3]?.settings).toMatchObject({ zone: 'example.com', proxied: false, ttl: 1, endpoint: 'https://api.cloudflare.com/client/v4' });
    expect(config.providers[1]?.settings.endpoint).toBe('https://dynupdate.no-ip.com');
    expect(config.secrets).toEqual(expect.arrayContaining(['noip-placeholder-pass', 'dyn-placeholder-pass', 'cf-placeholder-token']));
    expect(config.secrets).toEqual(
      expect.arrayContaining(['desec-placeholder-token', 'ipv64-placeholder-key', 'he-placeholder-key', 'dynu-placeholder-pass', 'ovh-placeholder-pass']),
    );
    expect(config.secrets).toEqual(
      expect.arrayContaining(['namecheap-placeholder-pass', 'dynv6-placeholder-token', 'freedns-placeholder-token-v6', 'cloudns-placeholder-token', 'ydns-placeholder-secret']),
    );
    // Namecheap updates IPv4 only, whatever is detected.
    expect(config.providers[9]?.settings.ipv6).toBe(false);
  });
});
