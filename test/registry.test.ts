/**
 * The provider registry loads an adapter only when a config names one of its
 * types: each line's types are the ones its module defines, and loading the
 * config asks for exactly the types the file names.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { loadProviders, PROVIDER_TYPES } from '../providers/registry.js';
import { loadConfigFor } from '../src/config/load.js';
import { ConfigError } from '../src/base/errors.js';
import { tempDir, writeConfig } from './helpers/cli.js';

describe('the provider registry', () => {
  it('names every type its adapters define, once and in order', async () => {
    expect(PROVIDER_TYPES).toEqual(PROVIDERS.map((p) => p.type));
    expect(new Set(PROVIDER_TYPES).size).toBe(PROVIDER_TYPES.length);
    // Each type alone loads the module that defines it (a line whose types drifted from its module fails here).
    for (const type of PROVIDER_TYPES) expect((await loadProviders([type])).map((p) => p.type)).toContain(type);
  });

  it('loads only the adapters of the types asked for', async () => {
    expect((await loadProviders(['duckdns'])).map((p) => p.type)).toEqual(['duckdns']);
    expect((await loadProviders(['cloudflare', 'duckdns'])).map((p) => p.type)).toEqual(['duckdns', 'cloudflare']);
    // dyndns2 and its presets are one module.
    expect((await loadProviders(['noip'])).map((p) => p.type)).toEqual(expect.arrayContaining(['noip', 'dyndns2', 'desec']));
    expect(await loadProviders([])).toEqual([]);
  });

  it('loads every adapter for a type it does not know, so the message can list them', async () => {
    expect((await loadProviders(['duckdsn'])).map((p) => p.type)).toEqual(PROVIDER_TYPES);
    expect((await loadProviders()).map((p) => p.type)).toEqual(PROVIDER_TYPES);
  });
});

describe('loading the config with the adapters it names', () => {
  const load = async (yaml: string, env: Record<string, string> = {}) => {
    const asked: (string[] | undefined)[] = [];
    const dir = tempDir();
    writeConfig(dir, yaml);
    const config = await loadConfigFor({ env, cwd: dir }, async (types) => {
      asked.push(types);
      return loadProviders(types);
    }).catch((error: unknown) => error);
    return { asked, config };
  };

  it('asks for the types of the entries, and the entries work', async () => {
    const { asked, config } = await load(
      'providers:\n  - { type: duckdns, token: t0k3n-value, hosts: [home] }\n  - { type: noip, username: u, password: p4ss, hosts: [a.ddns.net] }\n',
    );
    expect(asked).toEqual([['duckdns', 'noip']]);
    expect(config).not.toBeInstanceOf(Error);
    expect((config as { providers: { definition: { type: string } }[] }).providers.map((p) => p.definition.type)).toEqual(['duckdns', 'noip']);
  });

  it('asks for every adapter when a type is missing or comes from the environment', async () => {
    const missing = await load('providers:\n  - { token: t0k3n-value, hosts: [home] }\n');
    expect(missing.asked).toEqual([undefined]);
    expect(missing.config).toBeInstanceOf(ConfigError);
    expect((missing.config as Error).message).toMatch(/providers\[0\].type \(line 2\): missing; expected one of duckdns, .*rfc2136/);
    const fromEnv = await load('providers:\n  - { type: "${KIND}", token: t0k3n-value, hosts: [home] }\n', { KIND: 'duckdns' });
    expect(fromEnv.asked).toEqual([undefined]);
    expect(fromEnv.config).not.toBeInstanceOf(Error);
  });

  it('an unknown type still gets the list of every type', async () => {
    const { asked, config } = await load('providers:\n  - { type: duckdsn, token: t0k3n-value, hosts: [home] }\n');
    expect(asked).toEqual([['duckdsn']]);
    expect((config as Error).message).toMatch(/unknown provider "duckdsn"; expected one of duckdns, noip, .*route53, rfc2136/);
  });

  it('a config without providers asks for none', async () => {
    const { asked } = await load('interval: 5m\n');
    expect(asked).toEqual([[]]);
  });
});
