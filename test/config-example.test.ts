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
  PORKBUN_API_KEY: 'pk1_placeholder',
  PORKBUN_SECRET_API_KEY: 'sk1_placeholder',
  DIGITALOCEAN_TOKEN: 'dop_v1_placeholder',
  HCLOUD_TOKEN: 'hcloud-placeholder-token',
  GANDI_PAT: 'gandi-placeholder-pat',
  AWS_ACCESS_KEY_ID: 'AKIAPLACEHOLDER',
  AWS_SECRET_ACCESS_KEY: 'aws-placeholder-secret',
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
    expect(config.providers.map((p) => p.definition.type)).toEqual(['duckdns', 'noip', 'dyndns2', 'cloudflare', 'porkbun', 'digitalocean', 'hetzner', 'gandi', 'route53']);
    expect(config.providers[3]?.settings).toMatchObject({ zone: 'example.com', proxied: false, ttl: 1, endpoint: 'https://api.cloudflare.com/client/v4' });
    expect(config.providers[1]?.settings.endpoint).toBe('https://dynupdate.no-ip.com');
    expect(config.secrets).toEqual(expect.arrayContaining(['noip-placeholder-pass', 'dyn-placeholder-pass', 'cf-placeholder-token', 'sk1_placeholder', 'dop_v1_placeholder', 'hcloud-placeholder-token', 'gandi-placeholder-pat', 'aws-placeholder-secret']));
    expect(config.providers[8]?.settings).toMatchObject({ hosted_zone_id: 'Z0123456789ABCDEFGHIJ', ttl: 300, endpoint: 'https://route53.amazonaws.com' });
    expect(config.providers[7]?.settings).toMatchObject({ zone: 'example.com', ttl: 300, endpoint: 'https://api.gandi.net/v5/livedns' });
    expect(config.providers[6]?.settings).toMatchObject({ zone: 'example.com', ttl: 300, endpoint: 'https://api.hetzner.cloud/v1' });
    expect(config.providers[5]?.settings).toMatchObject({ zone: 'example.com', ttl: 300, endpoint: 'https://api.digitalocean.com/v2' });
    expect(config.providers[4]?.settings).toMatchObject({ zone: 'example.com', ttl: 600, endpoint: 'https://api.porkbun.com/api/json/v3' });
  });
});
