import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { runCli, tempDir, writeConfig } from './helpers/cli.js';
import { detectYaml } from './helpers/config-yaml.js';

// Public addresses as data only: the fakes answer them, nothing contacts them.
const FIRST = '81.2.69.160';
const SECOND = '81.2.69.161';
const TOKEN = 'duck-secret-7f3a9c1e-token';

describe('ddnsd once against local DuckDNS and IP echo servers', () => {
  let echoA: EchoServer;
  let echoB: EchoServer;
  let duck: FakeDuckDns;
  let dir: string;

  beforeEach(async () => {
    echoA = await startEcho(FIRST);
    echoB = await startEcho(FIRST);
    duck = await startDuckDns({ token: TOKEN, domains: ['myoffice', 'portal'] });
    dir = tempDir();
    writeConfig(
      dir,
      `interval: 5m
state: ./data/state.json
${detectYaml([echoA.url, echoB.url], 2)}providers:
  - type: duckdns
    token: \${DUCKDNS_TOKEN}
    endpoint: ${duck.url}
    hosts: [myoffice, portal.duckdns.org]
`,
    );
  });

  afterEach(async () => {
    await Promise.all([echoA.close(), echoB.close(), duck.close()]);
  });

  const once = (...extra: string[]) => runCli(['once', ...extra], { cwd: dir, env: { DUCKDNS_TOKEN: TOKEN } });

  it('updates, then sends nothing on a second run, then updates again when the address changes', async () => {
    const first = await once();
    expect(first.stderr).not.toContain(TOKEN);
    expect(first.stdout).not.toContain(TOKEN);
    expect(first.code).toBe(0);
    expect(duck.updates()).toHaveLength(1);
    const q = duck.updates()[0]?.url.searchParams;
    expect(q?.get('domains')).toBe('myoffice,portal');
    expect(q?.get('ip')).toBe(FIRST);
    expect(duck.records.get('myoffice')?.ipv4).toBe(FIRST);
    expect(first.stdout).toMatch(/myoffice\.duckdns\.org\s+A\s+duckdns\s+updated/);
    expect(existsSync(join(dir, 'data/state.json'))).toBe(true);

    const second = await once();
    expect(second.code).toBe(0);
    expect(duck.updates()).toHaveLength(1);
    expect(second.stdout).toContain('up to date (nothing sent)');

    echoA.answer = SECOND;
    echoB.answer = SECOND;
    const third = await once();
    expect(third.code).toBe(0);
    expect(duck.updates()).toHaveLength(2);
    expect(duck.updates()[1]?.url.searchParams.get('ip')).toBe(SECOND);
    expect(duck.records.get('portal')?.ipv4).toBe(SECOND);
    const state = JSON.parse(readFileSync(join(dir, 'data/state.json'), 'utf8')) as { history: { from?: string; to: string }[] };
    expect(state.history.map((h) => h.to)).toEqual([FIRST, SECOND]);
  });

  it('exits 1 without contacting the provider when the sources disagree', async () => {
    echoB.answer = SECOND;
    const result = await once();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('IPv4  not detected: sources disagree');
    expect(duck.requests).toHaveLength(0);
  });

  it('exits 1 on a fatal answer and does not retry it on the next run', async () => {
    const badDir = dir;
    const result = await runCli(['once'], { cwd: badDir, env: { DUCKDNS_TOKEN: 'wrong-token-123' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('NEEDS ATTENTION');
    expect(result.stdout).not.toContain('wrong-token-123');
    expect(result.stderr).not.toContain('wrong-token-123');
    expect(duck.updates()).toHaveLength(1);

    const again = await runCli(['once'], { cwd: badDir, env: { DUCKDNS_TOKEN: 'wrong-token-123' } });
    expect(again.code).toBe(1);
    expect(duck.updates()).toHaveLength(1);

    // A changed token is a changed config: ddnsd tries again, and it works.
    const fixed = await once();
    expect(fixed.code).toBe(0);
    expect(duck.updates()).toHaveLength(2);
  });

  it('says when a host is tried next after an answer it could not read, and keeps it paused until then', async () => {
    // DuckDNS documents only OK and KO (https://www.duckdns.org/spec.jsp): anything else is ddnsd's guess, paused, never for good.
    duck.failNext(1, 200, {}, '<html>captive portal</html>');
    const first = await once();
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/myoffice\.duckdns\.org\s+A\s+duckdns\s+FAILED: .*unexpected answer.*; next try in 60 min \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    const second = await once();
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(/myoffice\.duckdns\.org\s+A\s+duckdns\s+PAUSED: .*; next try in 60 min \(.* UTC\); run ddnsd once --force to try now/);
    expect(duck.updates()).toHaveLength(1);
    const forced = await once('--force');
    expect(forced.code).toBe(0);
    expect(duck.updates()).toHaveLength(2);
  });

  it('exits 1 and says so when the state file cannot be written, though the provider was updated', async () => {
    // A state file name that is allowed but leaves no room for the temporary file beside it (NAME_MAX 255):
    // reading finds no file, every write fails, for root too.
    const name = `${'s'.repeat(245)}.json`;
    writeConfig(dir, readFileSync(join(dir, 'config.yaml'), 'utf8').replace('./data/state.json', `./data/${name}`));
    const result = await once();
    expect(duck.updates()).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write the state file ${join(dir, 'data', name)}`);
    expect(result.stderr).toContain('the next run will send every host again');
  });

  it('--dry-run sends nothing and writes no state', async () => {
    const result = await once('--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would update (dry run)');
    expect(duck.requests).toHaveLength(0);
    expect(existsSync(join(dir, 'data/state.json'))).toBe(false);
  });

  it('exits 2 with the key path on an invalid config, before contacting anything', async () => {
    writeConfig(dir, `providers:\n  - type: duckdns\n    token: abcdefgh\n    hosts: []\n`);
    const result = await once();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers[0].hosts (line 4): expected at least one hostname');
    expect(echoA.requests).toHaveLength(0);
  });

  it('check prints the effective config with the token redacted', async () => {
    const result = await runCli(['check'], { cwd: dir, env: { DUCKDNS_TOKEN: TOKEN } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('token: "[redacted]"');
    expect(result.stdout).toContain('myoffice.duckdns.org');
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
});

describe('ddnsd command line', () => {
  it('prints its version and help', async () => {
    const dir = tempDir();
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
    expect((await runCli(['--version'], { cwd: dir })).stdout.trim()).toBe(pkg.version);
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('ddnsd once [--dry-run]');
  });

  it('rejects an unknown command with status 2', async () => {
    const result = await runCli(['frobnicate'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it('exits 2 when --config names a file that does not exist', async () => {
    const result = await runCli(['once', '--config', 'nope.yaml'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.yaml does not exist');
  });
});
