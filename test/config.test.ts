import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveConfig, loadConfig, type Config } from '../src/config/load.js';
import { formatDuration, humanDuration, parseDuration } from '../src/config/duration.js';
import { ConfigError } from '../src/errors.js';
import { tempDir } from './helpers/cli.js';

function load(yaml: string | undefined, env: Record<string, string> = {}, files: Record<string, string> = {}): Config {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  if (yaml !== undefined) writeFileSync(join(dir, 'config.yaml'), yaml);
  return loadConfig({ env, cwd: dir });
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

const duck = (extra = '', hosts = '[myoffice]') => `providers:\n  - type: duckdns\n    token: tok-12345678\n    hosts: ${hosts}\n${extra}`;

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
    expect(config.detect.sources.ipv4.map((s) => s.name)).toEqual(['ipify', 'icanhazip', 'cloudflare']);
    expect(config.detect.families).toEqual(['ipv4']);
  });

  it('reads the documented example', () => {
    const dir = tempDir();
    const example = join(import.meta.dirname, '../config.example.yaml');
    const config = loadConfig({ path: example, env: { DUCKDNS_TOKEN: 'example-token-1' }, cwd: dir });
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]?.settings.hosts).toEqual(['myoffice.duckdns.org']);
  });

  it('expands ${VAR}, defaults and $$, and collects secrets', () => {
    const config = load(
      `server:\n  token: \${DDNSD_TOKEN}\n  listen: \${LISTEN:-127.0.0.1:9090}\nstate: ./cost$$/state.json\n${duck().replace('tok-12345678', '${DUCK}')}`,
      { DDNSD_TOKEN: 'server-token-abc', DUCK: 'duck-token-xyz' },
    );
    expect(config.server.token).toBe('server-token-abc');
    expect(config.server.listen).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(config.statePath).toMatch(/cost\$\/state\.json$/);
    expect(config.secrets.sort()).toEqual(['duck-token-xyz', 'server-token-abc']);
  });

  it('reads a .env file beside the config, and the real environment wins', () => {
    const config = load(duck().replace('tok-12345678', '${DUCK}') + 'server:\n  token: ${SRV}\n', { SRV: 'from-environment' }, {
      '.env': 'DUCK=from-dotenv-file\nSRV=from-dotenv-file\n',
    });
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
    const config = loadConfig({ env: { DDNSD_CONFIG: 'etc/ddnsd.yaml' }, cwd: dir });
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
  const cases: [string, string, string | RegExp, Record<string, string>?, Record<string, string>?][] = [
    ['empty hosts', duck('', '[]'), 'providers[0].hosts (line 4): expected at least one hostname'],
    ['missing hosts', 'providers:\n  - type: duckdns\n    token: tok-12345678\n', 'providers[0].hosts (line 2): missing'],
    ['unknown key with a suggestion', 'intervl: 5m\n', 'intervl (line 1): unknown key; did you mean "interval"?'],
    ['unknown nested key', 'detect:\n  agre: 2\n', 'detect.agre (line 2): unknown key; did you mean "agree"?'],
    ['unknown provider key', duck('    tokn: x\n'), 'providers[0].tokn (line 5): unknown key'],
    ['unknown provider type', 'providers:\n  - type: duckdsn\n    hosts: [a]\n', /providers\[0\]\.type \(line 2\): unknown provider "duckdsn"; expected one of duckdns/],
    ['missing provider type', 'providers:\n  - hosts: [a]\n', 'providers[0].type (line 2): missing; expected one of'],
    ['provider entry not a mapping', 'providers:\n  - duckdns\n', 'providers[0] (line 2): expected a provider entry'],
    ['bad duration', 'interval: 5 minutes\n', 'interval (line 1): expected a duration like 30s, 5m, 1h or 25d, got "5 minutes"'],
    ['bare number duration', 'interval: 300\n', 'interval (line 1): expected a duration'],
    ['too short interval', 'interval: 10ms\n', 'interval (line 1): must be at least 1s'],
    ['too short provider timeout', duck('    timeout: 5ms\n'), 'providers[0].timeout (line 5): must be at least 100ms'],
    ['agree zero', 'detect:\n  agree: 0\n', 'detect.agree (line 2): must be at least 1'],
    ['agree not a number', 'detect:\n  agree: two\n', 'detect.agree (line 2): expected a whole number'],
    ['unknown source', 'detect:\n  ipv4: [ipfy]\n', 'detect.ipv4[0] (line 2): unknown source "ipfy"'],
    ['non-http source', 'detect:\n  ipv4: [ftp://example.net/ip]\n', 'must be an http:// or https:// URL'],
    ['no sources at all', 'detect:\n  ipv4: []\n', 'detect (line 1): no sources for IPv4 or IPv6'],
    ['ipv6 wanted without sources', duck('    ipv6: true\n'), 'providers[0].ipv6 (line 5): ipv6: true, but no IPv6 sources are configured'],
    ['http endpoint off the machine', duck('    endpoint: http://dns.example.net\n'), 'uses plain http, which would send the credentials in clear text'],
    ['endpoint not a URL', duck('    endpoint: www.duckdns.org\n'), 'is not a URL'],
    ['empty token', 'providers:\n  - type: duckdns\n    token: ""\n    hosts: [a]\n', 'providers[0].token (line 3): the DuckDNS token is empty'],
    ['unset variable', duck().replace('tok-12345678', '${NOPE_TOKEN}'), 'providers[0].token (line 3): environment variable NOPE_TOKEN is not set'],
    ['missing _file', duck().replace('    token: tok-12345678\n', '    token_file: /nonexistent/ddnsd-token\n'), 'providers[0].token_file (line 3): cannot read /nonexistent/ddnsd-token (no such file)'],
    ['both key and _file', duck('    token_file: x\n'), 'providers[0].token_file (line 5): set either token or token_file, not both'],
    ['duplicate hosts across entries', `${duck()}  - type: duckdns\n    token: tok-2\n    hosts: [myoffice.duckdns.org]\n`, 'providers[1].hosts (line 7): myoffice.duckdns.org is already listed in providers[0]'],
    ['duplicate hosts in one entry', duck('', '[a, A]'), 'providers[0].hosts (line 4): lists the same hostname twice'],
    ['invalid hostname', duck('', '[bad_name]'), '"bad_name" is not a valid hostname'],
    ['dotted DuckDNS name', duck('', '[a.b]'), 'DuckDNS names are one label'],
    ['listen without a port', 'server:\n  listen: 127.0.0.1\n', 'server.listen (line 2): "127.0.0.1" is not a listen address'],
    ['listen on a hostname', 'server:\n  listen: myserver:8080\n', '"myserver" is not an IP address to listen on'],
    ['listen port out of range', 'server:\n  listen: 127.0.0.1:70000\n', 'port 70000 is out of range'],
    ['short server token', 'server:\n  token: abc\n', 'server.token (line 2): must be at least 8 characters'],
    ['top level not a mapping', '- a\n- b\n', 'expected a mapping of settings'],
    ['YAML syntax error', 'interval: 5m\nproviders:\n  - type: duckdns\n   hosts: [a\n', /^line \d+, column \d+: YAML syntax error/],
    ['duplicate YAML key', 'interval: 5m\ninterval: 6m\n', /^line 2, column 1: YAML syntax error/],
  ];

  it.each(cases)('%s', (_name, yaml, expected, env, files) => {
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
    expect(() => loadConfig({ path: 'missing.yaml', env: {}, cwd: dir })).toThrow(/missing\.yaml does not exist/);
  });

  it('never puts a secret in an error message', () => {
    const found = problems(duck('    tokn: x\n', '[]').replace('tok-12345678', 'very-secret-duck-token'));
    expect(found.join('\n')).not.toContain('very-secret-duck-token');
  });
});
