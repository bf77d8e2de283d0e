/**
 * Links (`wans:`): the config's checks, each link detected from its own
 * sources, `bind` proven with two loopback addresses, the probe, and a push
 * per link.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket from 'dns-packet';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import type { Config } from '../src/config/load.js';
import { loadConfig } from './helpers/config.js';
import { ConfigError } from '../src/base/errors.js';
import { createPushStore } from '../src/detect/push.js';
import { createLinks, type Links } from '../src/detect/wans.js';
import { startWhoAmI, type WhoAmI } from './fakes/whoami.js';
import { tempDir } from './helpers/cli.js';

function load(yaml: string, env: Record<string, string> = {}): Config {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yaml'), yaml);
  return loadConfig({ providers: PROVIDERS, env, cwd: dir });
}

function problems(yaml: string): string[] {
  try {
    load(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('the config was accepted');
}

const ENTRY = '  - { type: duckdns, token: t0k3n-value, hosts: [office], wan: [fiber, lte] }\n';
const NIC = 'server:\n  nic_update:\n    users:\n      - { username: lte-router, password: lte-secret-1, wan: lte }\n';
const OFFICE = `wans:\n  fiber:\n    ipv4: ["interface:eth0"]\n    bind: 192.0.2.10\n    probe: tcp://192.0.2.1:443\n  lte:\n    ipv4: ["push:lte"]\n${NIC}providers:\n${ENTRY}`;

describe('wans: in the config', () => {
  it('reads the office example: two links, the entry follows them in order, the LTE router has its own credential', () => {
    const config = load(OFFICE);
    expect(config.wans.map((w) => [w.name, w.families, w.agree, w.bind ?? null])).toEqual([
      ['fiber', ['ipv4'], 1, '192.0.2.10'],
      ['lte', ['ipv4'], 1, null],
    ]);
    expect(config.wans[0]?.probe).toEqual({ kind: 'tcp', host: '192.0.2.1', port: 443 });
    expect(config.wans[1]?.sources.ipv4[0]).toEqual({ kind: 'push', name: 'push:lte', wan: 'lte' });
    expect(config.providers[0]?.wan).toEqual({ links: ['fiber', 'lte'], mode: 'failover', failback: 3 });
    expect(config.providers[0]?.families).toEqual(['ipv4']);
    expect(config.server.nicUpdate?.users).toEqual([{ username: 'lte-router', password: 'lte-secret-1', wan: 'lte' }]);
    expect(config.secrets).toContain('lte-secret-1');
  });

  it("loads the README's office example", () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const block = /### Two internet lines[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const config = load(block, { LTE_PUSH_PASSWORD: 'lte-push-secret-1', CLOUDFLARE_API_TOKEN: 'cf-token-0123456789', DDNSD_TOKEN: 'page-token-0123456789abcdef' });
    expect(config.providers[0]?.wan).toEqual({ links: ['fiber', 'lte'], mode: 'failover', failback: 3 });
    expect(config.wans.map((w) => w.name)).toEqual(['fiber', 'lte']);
  });

  it('names an unknown link, a bad bind address, a bad probe and a link without a credential', () => {
    const found = problems(
      'wans:\n  fiber:\n    ipv4: ["interface:eth0"]\n    bind: eth0\n    probe: ftp://x\n  lte:\n    ipv4: ["push:lte"]\n' +
        'providers:\n  - { type: duckdns, token: t0k3n-value, hosts: [office], wan: [fiber, dsl], failback: 0 }\n',
    );
    expect(found.join('\n')).toMatch(/wans\.fiber\.bind.*"eth0" is not an IP address/);
    expect(found.join('\n')).toMatch(/wans\.fiber\.probe.*uses ftp; write it as tcp:\/\/host:port/);
    expect(found.join('\n')).toMatch(/providers\[0\]\.wan\[1\].*unknown link "dsl"; the links under wans: are fiber, lte/);
    expect(found.join('\n')).toMatch(/providers\[0\]\.failback.*expected how many checks in a row/);
    expect(found.join('\n')).toMatch(/push:lte needs a credential for link lte/);
  });

  it('refuses a bind of one family for a link with sources of the other, and wan_mode without wan', () => {
    const found = problems(
      'wans:\n  fiber:\n    ipv4: [ipify]\n    ipv6: [ipify]\n    bind: 192.0.2.10\nproviders:\n  - { type: duckdns, token: t0k3n-value, hosts: [office], wan_mode: all }\n',
    );
    expect(found.join('\n')).toMatch(/192\.0\.2\.10 is an IPv4 address, but the link also has ipv6 sources/);
    expect(found.join('\n')).toMatch(/providers\[0\]\.wan_mode.*needs wan:/);
  });

  it('refuses a probe address of the other family than bind, which it could never reach from there', () => {
    const found = problems(
      `wans:\n  fiber:\n    ipv4: ["push:fiber"]\n    bind: 127.0.0.2\n    probe: tcp://[::1]:443\n  lte:\n    ipv6: ["push:lte"]\n    bind: "::1"\n    probe: https://127.0.0.1:8443/health\n${NIC}      - { username: fiber-router, password: fiber-secret-1, wan: fiber }\n`,
    );
    expect(found).toEqual([
      expect.stringMatching(
        /wans\.fiber\.probe.*the probe's host ::1 is an IPv6 address, but the probe leaves from bind 127\.0\.0\.2, an IPv4 address; give it an IPv4 address or a name/,
      ),
      expect.stringMatching(/wans\.lte\.probe.*the probe's host 127\.0\.0\.1 is an IPv4 address, but the probe leaves from bind ::1, an IPv6 address/),
    ]);
  });

  it('takes a probe of the same family as bind, or a name, or any probe without bind', () => {
    const config = load(
      OFFICE.replace('probe: tcp://192.0.2.1:443', 'probe: https://portal.example.com/health').replace(
        '    ipv4: ["push:lte"]\n',
        '    ipv4: ["push:lte"]\n    probe: tcp://[2001:db8::1]:443\n',
      ),
    );
    expect(config.wans.map((w) => w.probe)).toEqual([
      { kind: 'https', url: 'https://portal.example.com/health' },
      { kind: 'tcp', host: '2001:db8::1', port: 443 },
    ]);
  });

  it('refuses wan_mode: all for a provider that holds one address per name, naming which can', () => {
    const found = problems(OFFICE.replace('wan: [fiber, lte] }', 'wan: [fiber, lte], wan_mode: all }'));
    expect(found).toEqual([
      expect.stringMatching(
        /providers\[0\]\.wan_mode .*all \(one record per healthy link\) is not available for duckdns: ddnsd's duckdns adapter keeps one address per name and family \(DuckDNS and most dyndns2-style services hold only one\)\. Providers that can: cloudflare, desec, digitalocean, gandi, hetzner, rfc2136, route53;/,
      ),
    ]);
  });

  it('refuses push:<link> under detect: when no credential pushes for that link', () => {
    expect(problems('detect:\n  ipv4: ["push:lte"]\nserver:\n  nic_update: { username: router, password: router-secret-1 }\n')).toEqual([
      expect.stringMatching(/detect\.ipv4\[0\].*push:lte needs a credential for link lte/),
    ]);
  });

  it('refuses a user for a link that does not exist', () => {
    const found = problems(`${OFFICE}      - { username: dsl-router, password: dsl-secret-1, wan: dsl }\n`.replace(`providers:\n${ENTRY}`, '') + `providers:\n${ENTRY}`);
    expect(found.join('\n')).toMatch(/server\.nic_update\.users\[1\]\.wan.*unknown link "dsl"/);
  });
});

describe('each link detected on its own', () => {
  let whoami: WhoAmI | undefined;
  let links: Links | undefined;
  let tcp: Server | undefined;
  afterEach(async () => {
    await links?.close();
    await whoami?.close();
    await new Promise((resolve) => (tcp ? tcp.close(resolve) : resolve(undefined)));
    links = whoami = tcp = undefined;
  });

  it('bind: each link asks the same echo from its own local address and hears its own external address', async () => {
    whoami = await startWhoAmI({ '127.0.0.2': '81.2.69.160', '127.0.0.3': '81.2.69.192' });
    const config = load(`wans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n`);
    links = createLinks(config.wans, { timeoutMs: 5000, userAgent: 't' });
    const checks = await links.check();
    expect(checks.map((c) => [c.wan, c.healthy, c.addresses.ipv4])).toEqual([
      ['fiber', true, '81.2.69.160'],
      ['lte', true, '81.2.69.192'],
    ]);
    expect(Object.fromEntries(whoami.from)).toEqual({ '127.0.0.2': 1, '127.0.0.3': 1 });
  });

  it('bind: DNS questions of a link leave from its address too', async () => {
    // Like myip.opendns.com: the answer is the address the question came from, here mapped to each link's public one.
    const said: Record<string, string> = { '127.0.0.2': '81.2.69.160', '127.0.0.3': '81.2.69.192' };
    const from: string[] = [];
    const server = createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const query = dnsPacket.decode(msg);
      from.push(rinfo.address);
      const name = query.questions?.[0]?.name ?? '';
      const answers = said[rinfo.address] ? [{ type: 'A' as const, name, ttl: 0, data: said[rinfo.address] as string }] : [];
      server.send(dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: 0, questions: query.questions ?? [], answers }), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const port = server.address().port;
    try {
      const source = `dns://127.0.0.1:${port}/myip.example?type=A`;
      const config = load(`wans:\n  fiber:\n    ipv4: ["${source}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${source}"]\n    bind: 127.0.0.3\n`);
      links = createLinks(config.wans, { timeoutMs: 5000, userAgent: 't' });
      expect((await links.check()).map((c) => c.addresses.ipv4)).toEqual(['81.2.69.160', '81.2.69.192']);
      expect(from.sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    } finally {
      server.close();
    }
  });

  it('a link whose sources fail is unhealthy, the other stays healthy', async () => {
    whoami = await startWhoAmI({ '127.0.0.2': '81.2.69.160' });
    const config = load(`wans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n`);
    links = createLinks(config.wans, { timeoutMs: 5000, userAgent: 't' });
    const [fiber, lte] = await links.check();
    expect(fiber?.healthy).toBe(true);
    // The echo answers 127.0.0.3 itself to the unmapped client: not an external address.
    expect(lte?.healthy).toBe(false);
    expect(lte?.error).toMatch(/127\.0\.0\.3/);
  });

  it('the probe must answer too: a closed port makes the link unhealthy', async () => {
    whoami = await startWhoAmI({ '127.0.0.2': '81.2.69.160' });
    tcp = createServer((s) => s.end());
    await new Promise<void>((resolve) => tcp?.listen(0, '127.0.0.1', resolve));
    const open = (tcp.address() as { port: number }).port;
    const closed = await freePort();
    const config = load(
      `wans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n    probe: tcp://127.0.0.1:${open}\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n    probe: tcp://127.0.0.1:${closed}\n`,
    );
    links = createLinks(config.wans, { timeoutMs: 5000, userAgent: 't' });
    const [fiber, lte] = await links.check();
    expect(fiber?.healthy).toBe(true);
    expect(lte?.healthy).toBe(false);
    expect(lte?.error).toMatch(new RegExp(`probe tcp://127.0.0.1:${closed} failed: ECONNREFUSED`));
  });

  it("push:<link> answers only what that link's router pushed", async () => {
    let now = 1_000;
    const push = createPushStore(() => now, 600_000);
    const config = load(
      `wans:\n  fiber:\n    ipv4: ["push:fiber"]\n  lte:\n    ipv4: ["push:lte"]\n${NIC}      - { username: fiber-router, password: fiber-secret-1, wan: fiber }\n`,
    );
    links = createLinks(config.wans, { timeoutMs: 5000, userAgent: 't', push });
    push.set('ipv4', '81.2.69.160', 'fiber');
    push.set('ipv4', '81.2.69.200');
    const [fiber, lte] = await links.check();
    expect(fiber?.addresses.ipv4).toBe('81.2.69.160');
    expect(lte?.healthy).toBe(false);
    expect(lte?.error).toMatch(/the router of link lte has not pushed/);
    now += 1;
    push.set('ipv4', '81.2.69.192', 'lte');
    expect((await links.check()).map((c) => c.addresses.ipv4)).toEqual(['81.2.69.160', '81.2.69.192']);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}
