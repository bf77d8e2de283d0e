import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveConfig } from '../src/config/effective.js';
import type { Config } from '../src/config/load.js';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { formatDuration, humanDuration, parseDuration } from '../src/base/duration.js';
import { ConfigError } from '../src/base/errors.js';
import { BAD_CONFIGS, duck } from './helpers/bad-configs.js';
import { tempDir } from './helpers/cli.js';

function load(yaml: string | undefined, env: Record<string, string> = {}, files: Record<string, string> = {}): Config {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  if (yaml !== undefined) writeFileSync(join(dir, 'config.yaml'), yaml);
  return loadConfig({ providers: PROVIDERS, env, cwd: dir });
}

/** The problems a config is rejected with; fails the test if it is accepted. */
function problems(yaml: string, env: Record<string, string> = {}, files: Record<string, string> = {}): string[] {
  try {
    load(yaml, env, files);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('the config was accepted');
}

describe('durations', () => {
  it('reads units and combinations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('25d')).toBe(25 * 86_400_000);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration(300)).toBeUndefined();
    expect(formatDuration(5_400_000)).toBe('90m');
    expect(formatDuration(1500)).toBe('1500ms');
    expect([59_500, 1_798_000, 7_200_000, 3 * 86_400_000].map(humanDuration)).toEqual(['60 s', '30 min', '2 h', '3 days']);
  });
});

describe('loading a valid config', () => {
  it('applies the defaults when there is no file at all', () => {
    const config = load(undefined);
    expect(config.file).toBeUndefined();
    expect(config.providers).toEqual([]);
    expect(config.intervalMs).toBe(300_000);
    expect(config.refreshMs).toBe(25 * 86_400_000);
    expect(config.server.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.detect.sources.ipv4.map((s) => s.name)).toEqual(['ipify', 'cloudflare', 'opendns', 'google-dns']);
    expect(config.detect.families).toEqual(['ipv4']);
  });

  it('reads the documented example', () => {
    const dir = tempDir();
    const example = join(import.meta.dirname, '../config.example.yaml');
    const config = loadConfig({ providers: PROVIDERS, path: example, env: { DUCKDNS_TOKEN: 'example-token-1' }, cwd: dir });
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]?.settings.hosts).toEqual(['myoffice.duckdns.org']);
  });

  it('expands ${VAR}, defaults and $$, and collects secrets', () => {
    const config = load(`server:\n  token: \${DDNSD_TOKEN}\n  listen: \${LISTEN:-127.0.0.1:9090}\nstate: ./cost$$/state.json\n${duck().replace('tok-12345678', '${DUCK}')}`, {
      DDNSD_TOKEN: 'server-token-abc',
      DUCK: 'duck-token-xyz',
    });
    expect(config.server.token).toBe('server-token-abc');
    expect(config.server.listen).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(config.statePath).toMatch(/cost\$\/state\.json$/);
    expect(config.secrets.sort()).toEqual(['duck-token-xyz', 'server-token-abc'].sort());
    // The session-signing key is the server's to make as it starts, not the config's.
    expect(config.server.sessionKey).toBeUndefined();
  });

  it('reads a .env file beside the config, and the real environment wins', () => {
    const config = load(
      duck().replace('tok-12345678', '${DUCK}') + 'server:\n  token: ${SRV}\n',
      { SRV: 'from-environment' },
      {
        '.env': 'DUCK=from-dotenv-file\nSRV=from-dotenv-file\n',
      },
    );
    expect(config.providers[0]?.settings.token).toBe('from-dotenv-file');
    expect(config.server.token).toBe('from-environment');
  });

  it('reads <key>_file, trimmed, relative to the config', () => {
    const config = load(duck().replace('    token: tok-12345678\n', '    token_file: secrets/duck\n'), {}, { 'secrets/duck': '  file-token-123\n' });
    expect(config.providers[0]?.settings.token).toBe('file-token-123');
    expect(config.secrets).toContain('file-token-123');
  });

  it('finds the file through DDNSD_CONFIG and resolves state beside it', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc/ddnsd.yaml'), 'state: data/s.json\n');
    const config = loadConfig({ providers: PROVIDERS, env: { DDNSD_CONFIG: 'etc/ddnsd.yaml' }, cwd: dir });
    expect(config.file).toBe(join(dir, 'etc/ddnsd.yaml'));
    expect(config.statePath).toBe(join(dir, 'etc/data/s.json'));
  });

  it('accepts http endpoints on loopback only, and normalizes DuckDNS names', () => {
    const config = load(duck('    endpoint: http://127.0.0.1:8053/\n', '[MyOffice, lab.duckdns.org]'));
    expect(config.providers[0]?.settings.endpoint).toBe('http://127.0.0.1:8053');
    expect(config.providers[0]?.settings.hosts).toEqual(['myoffice.duckdns.org', 'lab.duckdns.org']);
  });

  it('gives each provider entry a request timeout', () => {
    expect(load(duck()).providers[0]?.settings.timeout).toBe(10_000);
    expect(load(duck('    timeout: 1500ms\n')).providers[0]?.settings.timeout).toBe(1500);
  });

  it('prints the effective config with secrets redacted', () => {
    const config = load(`server:\n  token: server-token-abc\n${duck()}`);
    const text = JSON.stringify(effectiveConfig(config));
    expect(text).not.toContain('server-token-abc');
    expect(text).not.toContain('tok-12345678');
    expect(text).toContain('[redacted]');
  });

  it('changes an entry fingerprint when its settings change', () => {
    const a = load(duck()).providers[0]?.fingerprint;
    const b = load(duck().replace('tok-12345678', 'tok-87654321')).providers[0]?.fingerprint;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(b).not.toBe(a);
  });
});

describe('rejecting a bad config', () => {
  it.each(BAD_CONFIGS)('%s', (_name, yaml, expected, env, files) => {
    const found = problems(yaml, env, files);
    const match = found.some((p) => (typeof expected === 'string' ? p.includes(expected) : expected.test(p)));
    expect(match, `problems were:\n${found.join('\n')}`).toBe(true);
  });

  it('reports every problem at once', () => {
    const found = problems('interval: nope\nrefresh: never\nserver:\n  listen: x\n');
    expect(found).toHaveLength(3);
  });

  it('names a missing --config file', () => {
    const dir = tempDir();
    expect(() => loadConfig({ providers: PROVIDERS, path: 'missing.yaml', env: {}, cwd: dir })).toThrow(/missing\.yaml does not exist/);
  });

  it('never puts a secret in an error message', () => {
    const found = problems(duck('    tokn: x\n', '[]').replace('tok-12345678', 'very-secret-duck-token'));
    expect(found.join('\n')).not.toContain('very-secret-duck-token');
  });
});
