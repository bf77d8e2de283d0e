/**
 * owned: marked at Cloudflare: ddnsd writes its comment on the records it
 * creates and changes or deletes only records carrying it; a record another
 * tool or a person wrote is left alone. Where a provider cannot mark a
 * record, `ddnsd check` refuses marked with the reason.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../helpers/providers.js';
import { loadConfig } from '../helpers/config.js';
import { ConfigError } from '../../src/base/errors.js';
import { startCloudflare, type FakeCloudflare } from '../fakes/cloudflare.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { tempDir } from '../helpers/cli.js';
import { startRuntime } from '../helpers/runtime.js';
import { until } from '../helpers/wait.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { startDaemon } from '../../src/main.js';
import { createRenderer } from '../../src/server/render.js';

const V4 = '81.2.69.160';
const V4_NEXT = '81.2.69.161';
const FOREIGN = '81.2.69.200';
const TOKEN = 'cf-token-owned-4e5f6a7b8c9d';
const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

describe('owned: marked at Cloudflare', () => {
  let echo: EchoServer;
  let cf: FakeCloudflare;
  beforeEach(async () => {
    echo = await startEcho(V4);
    cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
  });
  afterEach(async () => {
    await Promise.all([echo.close(), cf.close()]);
  });

  const start = (owned: string) =>
    startRuntime(`state: ./state.json
detect:
  ipv4: ["${echo.url}/"]
  agree: 1
  timeout: 2s
providers:
  - type: cloudflare
    endpoint: ${cf.endpoint}
    token: ${TOKEN}
    hosts: [portal.example.com]
${owned}`);

  const records = () =>
    [...cf.records.values()]
      .filter((r) => r.name === 'portal.example.com')
      .map((r) => [r.content, r.comment ?? null])
      .sort();

  it('adds its own marked record beside a foreign one and changes only its own', async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: FOREIGN, ttl: 1, proxied: false, comment: 'failover box' });
    const { cycle, logs, runtime } = await start('    owned: marked\n    comment: managed by ddnsd (office)\n');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([
      [V4, 'managed by ddnsd (office)'],
      [FOREIGN, 'failover box'],
    ]);
    expect(logs.join('\n')).toMatch(/portal\.example\.com has 1 A record\(s\) at Cloudflare without ddnsd's comment .*managed by ddnsd \(office\).*; left alone/);
    echo.answer = V4_NEXT;
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([
      [V4_NEXT, 'managed by ddnsd (office)'],
      [FOREIGN, 'failover box'],
    ]);
    // The status says the foreign record is there.
    expect(runtime.status().hosts[0]).toMatchObject({ address: V4_NEXT, status: 'ok', foreign: 1 });
    expect(createRenderer().main(runtime.status(), Date.now())).toContain("and 1 record(s) not ddnsd's, left alone");
    await runtime.close();
  });

  it('removes duplicates only among its own records', async () => {
    for (const comment of ['managed by ddnsd', 'managed by ddnsd', null, 'written by hand']) {
      cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: FOREIGN, ttl: 1, proxied: false, comment });
    }
    const { cycle, runtime } = await start('    owned: marked\n');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual(
      [
        [V4, 'managed by ddnsd'],
        [FOREIGN, 'written by hand'],
        [FOREIGN, null],
      ].sort(),
    );
    await runtime.close();
  });

  it("owned: all (the default) keeps today's behaviour: every record of the name is ddnsd's", async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: FOREIGN, ttl: 1, proxied: false });
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: FOREIGN, ttl: 1, proxied: false });
    const { cycle, runtime } = await start('');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([[V4, null]]);
    await runtime.close();
  });
});

describe('delete_on_stop at Cloudflare', () => {
  it("deletes the entry's own records when ddnsd stops, leaves a foreign one, and forgets the hosts so the next start creates them", async () => {
    const echo = await startEcho(V4);
    const cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
    try {
      cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: FOREIGN, ttl: 1, proxied: false, comment: 'standby instance' });
      const dir = tempDir();
      writeFileSync(
        join(dir, 'config.yaml'),
        `state: ./state.json\nserver:\n  listen: 127.0.0.1:0\ndetect:\n  ipv4: ["${echo.url}/"]\n  agree: 1\nproviders:\n  - { type: cloudflare, endpoint: "${cf.endpoint}", token: ${TOKEN}, hosts: [portal.example.com], owned: marked, delete_on_stop: true }\n`,
      );
      const config = loadConfig({ providers: PROVIDERS, env: {}, cwd: dir });
      const redactor = createRedactor();
      const daemon = await startDaemon(config, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [] });
      const mine = () => [...cf.records.values()].filter((r) => r.comment === 'managed by ddnsd').length;
      await until(() => mine() === 1, 10_000, 'the record created');
      await daemon.stop();
      expect(mine()).toBe(0);
      expect([...cf.records.values()].map((r) => r.content)).toEqual([FOREIGN]);
      expect(daemon.runtime.state.hosts).toEqual({});
    } finally {
      await Promise.all([echo.close(), cf.close()]);
    }
  });

  it('is refused at check for a provider that cannot delete on stop', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), 'detect:\n  ipv4: [ipify]\nproviders:\n  - { type: duckdns, token: t0k3n-value, hosts: [office], delete_on_stop: true }\n');
    expect(() => loadConfig({ providers: PROVIDERS, env: {}, cwd: dir })).toThrow(
      /delete_on_stop.*not available for duckdns: ddnsd deletes records when it stops only at cloudflare, desec, digitalocean, gandi, hetzner, rfc2136, route53;/,
    );
  });
});

describe('owned: marked where a provider cannot mark a record', () => {
  const problems = (entry: string): string[] => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), `detect:\n  ipv4: [ipify]\nproviders:\n  - ${entry}\n`);
    try {
      loadConfig({ providers: PROVIDERS, env: {}, cwd: dir });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return [...(error as ConfigError).problems];
    }
    throw new Error('the config was accepted');
  };

  it('is refused at check, naming the reason for Route 53, DigitalOcean and the one-address services', () => {
    expect(
      problems('{ type: route53, access_key_id: AKIAIOSFODNN7EXAMPLE, secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, hosts: [a.example.com], owned: marked }'),
    ).toEqual([expect.stringMatching(/providers\[0\]\.owned .*marked is not available for route53: a Route 53 record set has no field to carry a marker/)]);
    expect(problems('{ type: digitalocean, token: do-token-0123456789, hosts: [a.example.com], owned: marked }')).toEqual([
      expect.stringMatching(/marked is not available for digitalocean: DigitalOcean's domain records have no comment or label field/),
    ]);
    expect(problems('{ type: duckdns, token: t0k3n-value, hosts: [office], owned: marked, comment: x }')).toEqual([
      expect.stringMatching(
        /marked is not available for duckdns: ddnsd's duckdns adapter keeps one address per name and family, with no field for a marker; types that write one: cloudflare, hetzner, porkbun\. Remove owned/,
      ),
    ]);
    expect(problems('{ type: duckdns, token: t0k3n-value, hosts: [office], comment: x }')).toEqual([
      expect.stringMatching(/providers\[0\]\.comment .*for owned: marked, which duckdns does not support/),
    ]);
  });
});
