import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveConfig } from '../src/config/effective.js';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { tempDir, writeConfig } from './helpers/cli.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../config.example.yaml'), 'utf8');

/** The example with every commented provider entry uncommented (lines `  # - …` and `  #   …`). */
function uncommented(): string {
  return EXAMPLE.split('\n')
    .map((line) => (/^ {2}# (- | {2})/.test(line) ? `  ${line.slice(4)}` : line))
    .join('\n');
}

/**
 * A value for every `${VAR}` the example names, so adding a provider's example needs no change here.
 * Base64 text, so secrets with a format of their own (TSIG keys) take it too.
 */
function placeholders(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map(([, name]) => [name, Buffer.from(`placeholder-${name?.toLowerCase()}-value`).toString('base64')]));
}

describe('config.example.yaml', () => {
  it('validates as shipped', () => {
    const dir = tempDir();
    const config = loadConfig({ providers: PROVIDERS, path: writeConfig(dir, EXAMPLE), env: placeholders(EXAMPLE), cwd: dir });
    expect(config.providers.map((p) => p.definition.type)).toEqual(['duckdns']);
  });

  it('validates with every provider example uncommented, one entry each, and shows an example for every provider', () => {
    const dir = tempDir();
    const text = uncommented();
    expect(text).not.toBe(EXAMPLE);
    const env = placeholders(text);
    const config = loadConfig({ providers: PROVIDERS, path: writeConfig(dir, text), env, cwd: dir });
    const types = config.providers.map((p) => p.definition.type);
    expect(new Set(types).size).toBe(types.length);
    expect([...types].sort()).toEqual(PROVIDERS.map((p) => p.type).sort());
    expect(config.providers.find((p) => p.definition.type === 'cloudflare')?.settings).toMatchObject({
      zone: 'example.com',
      proxied: false,
      ttl: 1,
      endpoint: 'https://api.cloudflare.com/client/v4',
    });
    expect(config.providers.find((p) => p.definition.type === 'noip')?.settings.endpoint).toBe('https://dynupdate.no-ip.com');
    // Every secret key of every example entry reaches the redactor.
    const secretValues = config.providers.flatMap((p) => p.definition.secrets.map((k) => p.settings[k]).filter((v) => v !== undefined));
    expect(secretValues.length).toBeGreaterThanOrEqual(config.providers.length);
    expect(config.secrets).toEqual(expect.arrayContaining(secretValues));
    expect(config.providers.find((p) => p.definition.type === 'route53')?.settings).toMatchObject({
      hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
      endpoint: 'https://route53.amazonaws.com',
    });
    expect(config.providers.find((p) => p.definition.type === 'porkbun')?.settings).toMatchObject({ ttl: 600, endpoint: 'https://api.porkbun.com/api/json/v3' });
    // Namecheap updates IPv4 only, whatever is detected.
    expect(config.providers.find((p) => p.definition.type === 'namecheap')?.settings.ipv6).toBe(false);
  });
});

describe('config.example.yaml checks and notify', () => {
  it('loads with the commented checks and notify sections uncommented', () => {
    const start = EXAMPLE.indexOf('# --- Is the server reachable?');
    expect(start).toBeGreaterThan(0);
    // YAML lines are "# key:" or "#   …"; prose lines are "# Text".
    const text =
      EXAMPLE.slice(0, start) +
      EXAMPLE.slice(start)
        .split('\n')
        .map((l) => (/^# (?:[a-z]+:| )/.test(l) ? l.slice(2) : l))
        .join('\n');
    const dir = tempDir();
    const env = placeholders(text);
    const config = loadConfig({ providers: PROVIDERS, path: writeConfig(dir, text), env, cwd: dir });
    expect(config.checks?.port?.ports).toEqual([{ host: 'office.example.com', port: 1234, protocol: 'tcp' }]);
    expect(config.checks?.dns?.resolvers.map((r) => r.host)).toEqual(['1.1.1.1', '8.8.8.8', '9.9.9.9']);
    expect(config.checks?.forward).toEqual({ required: false });
    expect(config.notify.map((t) => t.type)).toEqual(['ntfy', 'email', 'webhook', 'healthchecks', 'discord']);
    const targetSecrets = [env.SMTP_PASSWORD, env.NTFY_TOKEN, env.WEBHOOK_SECRET, env.NTFY_TOPIC, env.HEALTHCHECKS_UUID, env.DISCORD_TOKEN];
    expect(targetSecrets.every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
    expect(config.secrets).toEqual(expect.arrayContaining([env.SMTP_PASSWORD, env.NTFY_TOKEN, env.WEBHOOK_SECRET]));
    // ddnsd check shows the checks and targets, never a target's URL, token or password.
    const shown = JSON.stringify(effectiveConfig(config));
    expect(shown).toContain('"resolvers":["1.1.1.1:53","8.8.8.8:53","9.9.9.9:53"]');
    expect(shown).toContain('"host":"smtp.example.com"');
    for (const value of targetSecrets) expect(shown).not.toContain(value);
    expect(shown).not.toContain('hooks.example.com');
  });
});
