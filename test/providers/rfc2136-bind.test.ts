/**
 * The compiled `ddnsd once` against a real BIND 9 (`named` on loopback with a
 * TSIG key and a dynamic zone), each result read back from BIND with a DNS
 * query; wan_mode: all over two links (told apart by their bind addresses)
 * and delete_on_stop run in process, the latter through the daemon's stop.
 * In CI BIND must be there (.ci/run installs bind9); elsewhere the suite is
 * skipped, saying so, when `named` is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { State } from '../../src/state.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { startDaemon } from '../../src/main.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { startWhoAmI, type WhoAmI } from '../fakes/whoami.js';
import { bindAvailable, startBind, type Bind } from '../helpers/bind.js';
import { runCli, tempDir, writeConfig } from '../helpers/cli.js';
import { fakeClock } from '../helpers/clock.js';
import { loadConfig } from '../helpers/config.js';
import { freePort } from '../helpers/port.js';
import { PROVIDERS } from '../helpers/providers.js';
import { testRuntime } from '../helpers/runtime.js';
import { until } from '../helpers/wait.js';

// Public addresses as data only: the echo sources answer them, BIND stores them, nothing contacts them.
const V4 = '81.2.69.160';
const V4_NEW = '81.2.69.161';
const V6 = '2a02:8010:1::1';

const skip = !bindAvailable() && !process.env.CI;
if (skip) console.warn('rfc2136 BIND tests skipped: /usr/sbin/named is not installed (apt-get install bind9 bind9-dnsutils); CI installs it and runs them');

describe.skipIf(skip)('ddnsd once against BIND 9', () => {
  let bind: Bind;
  let v4: EchoServer;
  let v6: EchoServer;
  let dir: string;

  beforeAll(async () => {
    bind = await startBind();
    [v4, v6] = await Promise.all([startEcho(V4), startEcho(V6, '::1')]);
  });
  afterAll(async () => {
    await Promise.all([bind?.stop(), v4?.close(), v6?.close()]);
  });
  beforeEach(() => {
    dir = tempDir();
    v4.answer = V4;
  });

  interface Entry {
    hosts: string[];
    server?: string;
    zone?: string;
    secret?: string;
    ipv6?: boolean;
    timeout?: string;
  }
  const configure = (e: Entry): void => {
    writeConfig(
      dir,
      `state: ./data/state.json
detect:
  ipv4: ["${v4.url}/"]
  ipv6: [${e.ipv6 ? `"${v6.url}/"` : ''}]
  agree: 1
  timeout: 2s
providers:
  - type: rfc2136
    server: "${e.server ?? `127.0.0.1:${bind.server.port}`}"
    zone: ${e.zone ?? bind.zone}
    key_name: ${bind.keyName}
    key_algorithm: ${bind.algorithm}
    key_secret: \${TSIG_SECRET}
    ttl: 300
    timeout: ${e.timeout ?? '2s'}
    hosts: [${e.hosts.join(', ')}]
`,
    );
  };
  const once = (secret = bind.secret) => runCli(['once'], { cwd: dir, env: { TSIG_SECRET: secret }, timeoutMs: 30_000 });
  const state = (): State => JSON.parse(readFileSync(join(dir, 'data/state.json'), 'utf8')) as State;
  const line = (host: string, type: 'A' | 'AAAA', what: string): RegExp => new RegExp(`${host.replace(/\./g, '\\.')}\\s+${type}\\s+rfc2136\\s+${what}`);

  it('creates the record, sends nothing on the second run, and replaces it when the address changes', async () => {
    const host = `office.${bind.zone}`;
    configure({ hosts: [host] });
    const serial = await bind.serial();
    const first = await once();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(line(host, 'A', 'updated'));
    expect(await bind.records(host, 'A')).toEqual([V4]);
    expect(await bind.serial()).toBe(serial + 1);

    const second = await once();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(line(host, 'A', 'up to date \\(nothing sent\\)'));
    expect(await bind.serial()).toBe(serial + 1);

    v4.answer = V4_NEW;
    const third = await once();
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(line(host, 'A', 'updated'));
    expect(await bind.records(host, 'A')).toEqual([V4_NEW]);
    expect(await bind.serial()).toBe(serial + 2);
    expect(bind.log()).toMatch(/updating zone 'example\.test\/IN': deleting rrset at 'office\.example\.test' A/);
  });

  it('after a restart (no state), asks BIND and sends no update for a record that already has the address', async () => {
    const host = `kept.${bind.zone}`;
    configure({ hosts: [host] });
    expect((await once()).code).toBe(0);
    const serial = await bind.serial();
    dir = tempDir();
    configure({ hosts: [host] });
    const again = await once();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(line(host, 'A', 'up to date \\(confirmed by the provider\\)'));
    expect(await bind.serial()).toBe(serial);
  });

  it('updates A and AAAA in one message, with the server given by name', async () => {
    const host = `dual.${bind.zone}`;
    configure({ hosts: [host], ipv6: true, server: `localhost:${bind.server.port}` });
    const serial = await bind.serial();
    const result = await once();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(line(host, 'A', 'updated'));
    expect(result.stdout).toMatch(line(host, 'AAAA', 'updated'));
    expect(await bind.records(host, 'A')).toEqual([V4]);
    expect(await bind.records(host, 'AAAA')).toEqual([V6]);
    // One UPDATE for both: the serial rises once.
    expect(await bind.serial()).toBe(serial + 1);
  });

  it('reaches BIND over IPv6 at [::1]:port', async () => {
    const host = `six.${bind.zone}`;
    configure({ hosts: [host], server: `[::1]:${bind.server.port}` });
    expect((await once()).code).toBe(0);
    expect(await bind.records(host, 'A')).toEqual([V4]);
  });

  it('a wrong key secret (BADSIG) needs attention and leaves the zone untouched; check redacts the secret', async () => {
    const host = `wrongkey.${bind.zone}`;
    configure({ hosts: [host] });
    const serial = await bind.serial();
    const wrong = Buffer.alloc(32, 7).toString('base64');
    const result = await once(wrong);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line(host, 'A', 'NEEDS ATTENTION'));
    expect(result.stdout).toMatch(/BADSIG/);
    expect(result.stdout).toMatch(/key_secret differs from the secret of that key in named\.conf/);
    expect(state().hosts[`rfc2136 ${host} ipv4`]?.errorKind).toBe('auth');
    expect(await bind.records(host, 'A')).toEqual([]);
    expect(await bind.serial()).toBe(serial);
    expect(bind.log()).toMatch(/tsig verify failure \(BADSIG\)/);

    const check = await runCli(['check'], { cwd: dir, env: { TSIG_SECRET: bind.secret } });
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/key_secret: "\[redacted\]"/);
    for (const text of [check.stdout, check.stderr, result.stdout, result.stderr]) {
      expect(text).not.toContain(bind.secret);
      expect(text).not.toContain(wrong);
    }
  });

  it('a zone BIND does not serve needs attention (NOTAUTH)', async () => {
    configure({ hosts: ['office.elsewhere.test'], zone: 'elsewhere.test' });
    const result = await once();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line('office.elsewhere.test', 'A', 'NEEDS ATTENTION'));
    expect(result.stdout).toMatch(/NOTAUTH.*not authoritative for elsewhere\.test/);
    expect(bind.log()).toMatch(/elsewhere\.test: not authoritative for update zone/);
  });

  it('a server that does not answer fails as transient, to be retried', async () => {
    const host = `down.${bind.zone}`;
    configure({ hosts: [host], server: `127.0.0.1:${await freePort()}`, timeout: '300ms' });
    const result = await once();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line(host, 'A', 'FAILED'));
    const hs = state().hosts[`rfc2136 ${host} ipv4`];
    expect(hs?.errorKind).toBe('transient');
    expect(hs?.attention).toBeUndefined();
    expect(hs?.retryAt).toBeDefined();
  });
});

describe.skipIf(skip)('ddnsd once against BIND 9 with an update-policy', () => {
  it('a name the policy does not grant the key is REFUSED and needs attention; a granted one is updated', async () => {
    const bind = await startBind({ updatePolicy: 'grant ddnsd-key name office.example.test. A;' });
    const v4 = await startEcho(V4);
    try {
      const dir = tempDir();
      writeConfig(
        dir,
        `state: ./data/state.json
detect: { ipv4: ["${v4.url}/"], ipv6: [], agree: 1, timeout: 2s }
providers:
  - { type: rfc2136, server: "127.0.0.1:${bind.server.port}", zone: example.test, key_name: ddnsd-key, key_secret: "\${TSIG_SECRET}", hosts: [office.example.test] }
  - { type: rfc2136, server: "127.0.0.1:${bind.server.port}", zone: example.test, key_name: ddnsd-key, key_secret: "\${TSIG_SECRET}", hosts: [portal.example.test] }
`,
      );
      const result = await runCli(['once'], { cwd: dir, env: { TSIG_SECRET: bind.secret }, timeoutMs: 30_000 });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/office\.example\.test\s+A\s+rfc2136\s+updated/);
      expect(result.stdout).toMatch(/portal\.example\.test\s+A\s+rfc2136\s+NEEDS ATTENTION.*REFUSED.*update-policy in named\.conf must grant key ddnsd-key the zone example\.test/);
      expect(await bind.records('office.example.test', 'A')).toEqual([V4]);
      expect(await bind.records('portal.example.test', 'A')).toEqual([]);
      expect(bind.log()).toMatch(/updating zone 'example\.test\/IN': update failed: rejected by secure update \(REFUSED\)/);
    } finally {
      await Promise.all([bind.stop(), v4.close()]);
    }
  });
});

describe.skipIf(skip)('wan_mode: all and delete_on_stop against BIND 9', () => {
  // Two links told apart by their bind addresses; each hears its own public address from the echo.
  const FIBER = '81.2.69.160';
  const LTE = '81.2.69.192';
  const HOST = 'portal.example.test';
  const OTHER = 'office.example.test';
  let bind: Bind;
  let whoami: WhoAmI;
  beforeAll(async () => {
    [bind, whoami] = await Promise.all([startBind(), startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE })]);
  });
  afterAll(async () => {
    await Promise.all([bind?.stop(), whoami?.close()]);
  });

  const config = (extra: string): string =>
    `state: ./state.json\ndetect:\n  timeout: 2s\n` +
    `wans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n` +
    `providers:\n` +
    `  - { type: rfc2136, server: "127.0.0.1:${bind.server.port}", zone: example.test, key_name: ddnsd-key, key_secret: "\${TSIG_SECRET}", hosts: [${HOST}], wan: [fiber, lte], wan_mode: all${extra} }\n` +
    `  - { type: rfc2136, server: "127.0.0.1:${bind.server.port}", zone: example.test, key_name: ddnsd-key, key_secret: "\${TSIG_SECRET}", hosts: [${OTHER}], wan: lte }\n`;

  it("keeps one A record per healthy link, drops a failed link's until it is back, and sends nothing while the set stays", async () => {
    whoami.said.set('127.0.0.2', FIBER);
    // BIND checks the TSIG time against its own clock: the runtime's starts at the real time.
    const rt = await testRuntime(config(''), fakeClock(Date.now()), { env: { TSIG_SECRET: bind.secret } });
    try {
      expect((await rt.run()).ok).toBe(true);
      expect(await bind.records(HOST, 'A')).toEqual([FIBER, LTE]);
      expect(rt.status().hosts.find((h) => h.host === HOST)).toMatchObject({ address: `${FIBER}, ${LTE}`, status: 'ok', wan: 'fiber, lte' });
      const serial = await bind.serial();
      await rt.run();
      expect(await bind.serial()).toBe(serial);

      whoami.said.delete('127.0.0.2'); // the fiber link hears a private address: unhealthy
      await rt.run();
      expect(await bind.records(HOST, 'A')).toEqual([LTE]);

      whoami.said.set('127.0.0.2', FIBER);
      await rt.run();
      expect(await bind.records(HOST, 'A')).toEqual([FIBER, LTE]);
      expect(bind.log()).toMatch(/updating zone 'example\.test\/IN': adding an RR at 'portal\.example\.test' A 81\.2\.69\.192/);
    } finally {
      await rt.close();
    }
  });

  it("deletes the entry's records when ddnsd stops and keeps the other entry's name", async () => {
    whoami.said.set('127.0.0.2', FIBER);
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), `server:\n  listen: 127.0.0.1:0\n${config(', delete_on_stop: true')}`);
    const loaded = loadConfig({ providers: PROVIDERS, env: { TSIG_SECRET: bind.secret }, cwd: dir });
    const redactor = createRedactor();
    const daemon = await startDaemon(loaded, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [] });
    try {
      await until(async () => (await bind.records(HOST, 'A')).length === 2 && (await bind.records(OTHER, 'A')).length === 1, 15_000, 'the records created');
    } finally {
      await daemon.stop();
    }
    expect(await bind.records(HOST, 'A')).toEqual([]);
    expect(await bind.records(OTHER, 'A')).toEqual([LTE]);
    expect(bind.log()).toMatch(/updating zone 'example\.test\/IN': deleting rrset at 'portal\.example\.test' A/);
  });
});
