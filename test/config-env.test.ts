import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { ConfigError } from '../src/base/errors.js';
import { runCli, tempDir, writeConfig } from './helpers/cli.js';

const CONFIG = `server:
  listen: 127.0.0.1:9999
state: ./here/state.json
detect:
  ipv4: [http://127.0.0.1:1/]
`;

describe('DDNSD_LISTEN and DDNSD_STATE', () => {
  it('leave the file alone when unset or empty', () => {
    const dir = tempDir();
    writeConfig(dir, CONFIG);
    const config = loadConfig({ providers: PROVIDERS, env: { DDNSD_LISTEN: '' }, cwd: dir });
    expect(config.server.listen).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(config.statePath).toBe(join(dir, 'here/state.json'));
  });

  it('replace server.listen and state, in a file and in the built-in default', () => {
    const dir = tempDir();
    writeConfig(dir, CONFIG);
    const env = { DDNSD_LISTEN: '0.0.0.0:8080', DDNSD_STATE: '/data/state.json' };
    // Beyond loopback reads need a sign-in: without server.token the override is refused, naming it.
    expect(() => loadConfig({ providers: PROVIDERS, env, cwd: dir })).toThrow(/0\.0\.0\.0:8080 \(DDNSD_LISTEN\), beyond loopback.*set server\.token/);
    writeConfig(dir, CONFIG.replace('9999\n', '9999\n  token: page-token-123\n'));
    const config = loadConfig({ providers: PROVIDERS, env, cwd: dir });
    expect(config.server.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.statePath).toBe('/data/state.json');

    const bare = loadConfig({ providers: PROVIDERS, env: { DDNSD_LISTEN: '[::1]:8081', DDNSD_STATE: 'st/state.json' }, cwd: tempDir() });
    expect(bare.file).toBeUndefined();
    expect(bare.server.listen).toEqual({ host: '::1', port: 8081 });
    expect(bare.statePath.endsWith('/st/state.json')).toBe(true);
  });

  it('are read from a .env file beside the config too', async () => {
    const dir = tempDir();
    writeConfig(dir, CONFIG);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, '.env'), 'DDNSD_LISTEN=127.0.0.2:7000\n');
    expect(loadConfig({ providers: PROVIDERS, env: {}, cwd: dir }).server.listen).toEqual({ host: '127.0.0.2', port: 7000 });
  });

  it('name the variable and the fix when invalid', () => {
    const dir = tempDir();
    writeConfig(dir, CONFIG);
    let error: unknown;
    try {
      loadConfig({ providers: PROVIDERS, env: { DDNSD_LISTEN: 'everywhere:80', DDNSD_STATE: '/data/' }, cwd: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('environment variable DDNSD_LISTEN');
    expect(problems[0]).toContain('write it as 127.0.0.1:8080');
    expect(problems[1]).toContain('environment variable DDNSD_STATE');
    expect(() => loadConfig({ providers: PROVIDERS, env: { DDNSD_LISTEN: '127.0.0.1:70000' }, cwd: dir })).toThrow(/DDNSD_LISTEN.*out of range/);
  });

  it('show in ddnsd check, and an invalid one exits 2', async () => {
    const dir = tempDir();
    writeConfig(dir, CONFIG.replace('9999\n', '9999\n  token: page-token-123\n'));
    const ok = await runCli(['check'], { cwd: dir, env: { DDNSD_LISTEN: '0.0.0.0:8080', DDNSD_STATE: '/data/state.json' } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('listen: 0.0.0.0:8080');
    expect(ok.stdout).toContain('state: /data/state.json');
    const bad = await runCli(['check'], { cwd: dir, env: { DDNSD_LISTEN: 'nope' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('DDNSD_LISTEN');
  });
});
