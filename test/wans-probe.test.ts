/**
 * A link's probe (`wans.<name>.probe`) against local servers: an https URL
 * served with a self-signed certificate the links' connections trust, and a
 * TCP port. The servers record the address each probe came from, so `bind`
 * (127.0.0.2 for fiber, 127.0.0.3 for LTE) is proven for the probe as for the
 * sources. Each link's address comes from a push, so only the probe decides
 * its health here.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPushStore } from '../src/detect/push.js';
import { createLinks, type Links, type LinksOptions, type WanConfig } from '../src/detect/wans.js';
import { startDuckDns } from './fakes/duckdns.js';
import { startWhoAmI } from './fakes/whoami.js';
import { runCli, tempDir } from './helpers/cli.js';
import { loadConfig } from './helpers/config.js';
import { freePort } from './helpers/port.js';
import { PROVIDERS } from './helpers/providers.js';
import { selfSignedCert } from './helpers/tls.js';

const FIBER = '81.2.69.160';
const LTE = '81.2.69.192';
/** A token in the probe's query string: it must never appear in a message. */
const PROBE_KEY = 'probe-key-5e1f0c';
const DUCK_TOKEN = 'probe-duck-token-91c4';

type Answer = { status: number; bodyBytes?: number } | 'never';

interface TlsServer {
  url: string;
  /** The client address of every request, in order. */
  from: string[];
  /** The client address of every connection, handshake done or not. */
  connections: string[];
  close(): Promise<void>;
}

async function startTls(pair: { certPem: string; keyPem: string }, answer: Answer, host = '127.0.0.1'): Promise<TlsServer> {
  const from: string[] = [];
  const connections: string[] = [];
  const server: HttpsServer = createHttpsServer({ cert: pair.certPem, key: pair.keyPem }, (req, res) => {
    from.push((req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''));
    if (answer === 'never') return; // holds the request open: the probe's deadline must end it
    res.writeHead(answer.status, { 'content-type': 'text/html' });
    res.end('x'.repeat(answer.bodyBytes ?? 2));
  });
  server.on('connection', (socket: Socket) => connections.push((socket.remoteAddress ?? '').replace(/^::ffff:/, '')));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const where = host.includes(':') ? `[${host}]` : host;
  return {
    url: `https://${where}:${port}/health?key=${PROBE_KEY}`,
    from,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a link whose probe is an https URL', () => {
  const dir = tempDir();
  let trusted: ReturnType<typeof selfSignedCert>;
  let untrusted: ReturnType<typeof selfSignedCert>;
  let links: Links | undefined;
  const servers: { close(): Promise<void> }[] = [];
  const agents: Agent[] = [];
  beforeAll(() => {
    trusted = selfSignedCert(dir, { name: 'trusted' });
    untrusted = selfSignedCert(dir, { name: 'untrusted' });
  });
  afterEach(async () => {
    await links?.close();
    links = undefined;
    await Promise.all([...servers.splice(0).map((s) => s.close()), ...agents.splice(0).map((a) => a.close())]);
  });

  /**
   * Like ddnsd's own connections for a bound link (one per family, from `bind`), trusting the test certificate
   * as NODE_EXTRA_CA_CERTS makes ddnsd trust it (the last test here runs the CLI that way).
   */
  const boundAgent = (wan: WanConfig, family: 'ipv4' | 'ipv6'): Agent => {
    const agent = new Agent({
      ...(wan.bind ? { localAddress: wan.bind } : {}),
      connect: { ca: trusted.certPem, family: family === 'ipv4' ? 4 : 6, autoSelectFamily: false },
    });
    agents.push(agent);
    return agent;
  };

  /** Two links, fiber from 127.0.0.2 and LTE from 127.0.0.3, each with its own probe; both routers have pushed. */
  function twoLinks(fiberProbe: string, lteProbe: string, timeoutMs = 10_000, dispatcher: NonNullable<LinksOptions['dispatcher']> = boundAgent): Links {
    const wans = load(
      `wans:\n  fiber:\n    ipv4: ["push:fiber"]\n    bind: 127.0.0.2\n    probe: "${fiberProbe}"\n` +
        `  lte:\n    ipv4: ["push:lte"]\n    bind: 127.0.0.3\n    probe: "${lteProbe}"\n`,
    );
    const push = createPushStore(() => 1_000, 600_000);
    push.set('ipv4', FIBER, 'fiber');
    push.set('ipv4', LTE, 'lte');
    links = createLinks(wans, { timeoutMs, userAgent: 'ddnsd-test', push, dispatcher });
    return links;
  }

  async function tls(answer: Answer, pair = trusted, host?: string): Promise<TlsServer> {
    const server = await startTls(pair, answer, host);
    servers.push(server);
    return server;
  }

  it('a probe that answers makes the link healthy, and each link reaches it from its own bind address', async () => {
    const portal = await tls({ status: 200 });
    const checks = await twoLinks(portal.url, portal.url).check();
    expect(checks.map((c) => [c.wan, c.healthy, c.addresses.ipv4, c.error ?? null])).toEqual([
      ['fiber', true, FIBER, null],
      ['lte', true, LTE, null],
    ]);
    expect([...portal.from].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
  });

  it('any HTTP status is an answer: a 503 from the portal means the link works and the service behind it does not', async () => {
    const down = await tls({ status: 503 });
    const moved = await tls({ status: 302 });
    const checks = await twoLinks(down.url, moved.url).check();
    expect(checks.map((c) => [c.wan, c.healthy])).toEqual([
      ['fiber', true],
      ['lte', true],
    ]);
    expect([down.from, moved.from]).toEqual([['127.0.0.2'], ['127.0.0.3']]);
  });

  it('a page of any size answers: the body is not read', async () => {
    const page = await tls({ status: 200, bodyBytes: 64 * 1024 });
    const [fiber] = await twoLinks(page.url, page.url).check();
    expect(fiber).toMatchObject({ wan: 'fiber', healthy: true });
  });

  it('a refused probe makes only that link unhealthy, naming the URL without its query and the reason', async () => {
    const portal = await tls({ status: 200 });
    const closed = `https://127.0.0.1:${await freePort()}/health?key=${PROBE_KEY}`;
    const [fiber, lte] = await twoLinks(portal.url, closed).check();
    expect(fiber?.healthy).toBe(true);
    expect(lte).toMatchObject({ wan: 'lte', healthy: false, addresses: { ipv4: LTE } });
    expect(lte?.error).toMatch(/^probe https:\/\/127\.0\.0\.1:\d+\/health failed: connection refused: nothing listens there \(ECONNREFUSED\)$/);
    expect(JSON.stringify([fiber, lte])).not.toContain(PROBE_KEY);
  });

  it('a probe that never answers makes the link unhealthy once the deadline passes', async () => {
    const silent = await tls('never');
    const [fiber] = await twoLinks(silent.url, silent.url, 300).check();
    expect(fiber?.healthy).toBe(false);
    expect(fiber?.error).toMatch(/^probe https:\/\/127\.0\.0\.1:\d+\/health did not answer within 300ms$/);
  });

  it('a certificate that does not verify makes the link unhealthy and says so', async () => {
    const impostor = await tls({ status: 200 }, untrusted);
    const [fiber, lte] = await twoLinks(impostor.url, impostor.url).check();
    for (const link of [fiber, lte]) {
      expect(link?.healthy).toBe(false);
      expect(link?.error).toMatch(/^probe https:\/\/127\.0\.0\.1:\d+\/health failed: TLS problem: .*self[- ]signed.*\(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
      expect(link?.error).not.toContain(PROBE_KEY);
    }
    // No request got through: the handshake failed before any was sent.
    expect(impostor.from).toEqual([]);
  });

  it('without any dispatcher given, the probe uses the system trust: the test certificate is refused', async () => {
    const portal = await tls({ status: 200 });
    const [fiber] = await twoLinks(portal.url, portal.url, 10_000, () => undefined).check();
    expect(fiber?.error).toMatch(/failed: TLS problem: .*\(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
  });

  it("an IPv6 link's probe goes out through its IPv6 connection, from its bind address", async () => {
    const portal = await tls({ status: 200 }, trusted, '::1');
    const wans: WanConfig[] = [
      {
        name: 'v6',
        sources: { ipv4: [], ipv6: [{ kind: 'push', name: 'push:v6', wan: 'v6' }] },
        families: ['ipv6'],
        agree: 1,
        bind: '::1',
        probe: { kind: 'https', url: portal.url },
      },
    ];
    const push = createPushStore(() => 1_000, 600_000);
    push.set('ipv6', '2a02:6b8::1', 'v6');
    // The IPv4 connection of a link leaves from an IPv4 address: it cannot reach [::1].
    const dispatcher = (wan: WanConfig, family: 'ipv4' | 'ipv6'): Agent => boundAgent(family === 'ipv4' ? { ...wan, bind: '127.0.0.2' } : wan, family);
    links = createLinks(wans, { timeoutMs: 10_000, userAgent: 'ddnsd-test', push, dispatcher });
    const [v6] = await links.check();
    expect(v6?.error).toBeUndefined();
    expect(v6).toMatchObject({ wan: 'v6', healthy: true, addresses: { ipv6: '2a02:6b8::1' } });
    expect(portal.from).toEqual(['::1']);
  });
});

describe('a link whose probe is a TCP port', () => {
  let links: Links | undefined;
  let server: TcpServer | undefined;
  afterEach(async () => {
    await links?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    links = server = undefined;
  });

  it('each link connects from its own bind address', async () => {
    const from: string[] = [];
    server = createTcpServer((socket) => {
      from.push(socket.remoteAddress ?? '');
      socket.end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const probe = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const wans = load(
      `wans:\n  fiber:\n    ipv4: ["push:fiber"]\n    bind: 127.0.0.2\n    probe: ${probe}\n  lte:\n    ipv4: ["push:lte"]\n    bind: 127.0.0.3\n    probe: ${probe}\n`,
    );
    const push = createPushStore(() => 1_000, 600_000);
    push.set('ipv4', FIBER, 'fiber');
    push.set('ipv4', LTE, 'lte');
    links = createLinks(wans, { timeoutMs: 10_000, userAgent: 'ddnsd-test', push });
    expect((await links.check()).map((c) => [c.wan, c.healthy])).toEqual([
      ['fiber', true],
      ['lte', true],
    ]);
    // The server sees each connection once it is accepted; the probe may have closed its side by then.
    await expect.poll(() => [...from].sort(), { timeout: 10_000 }).toEqual(['127.0.0.2', '127.0.0.3']);
  });
});

describe('ddnsd once with https probes', () => {
  it("trusts what the system and NODE_EXTRA_CA_CERTS trust, probes from each link's bind address, and a probe that fails moves the name", async () => {
    const dir = tempDir();
    const trusted = selfSignedCert(dir, { name: 'trusted' });
    const untrusted = selfSignedCert(dir, { name: 'untrusted' });
    const whoami = await startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE });
    const duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['portal'] });
    const portal = await startTls(trusted, { status: 200 });
    const impostor = await startTls(untrusted, { status: 200 });
    try {
      const link = (name: string, bind: string, probe: string): string => `  ${name}:\n    ipv4: ["${whoami.url}"]\n    bind: ${bind}\n    probe: "${probe}"\n`;
      writeFileSync(
        join(dir, 'config.yaml'),
        `wans:\n${link('fiber', '127.0.0.2', impostor.url)}${link('lte', '127.0.0.3', portal.url)}` +
          `providers:\n  - { type: duckdns, token: ${DUCK_TOKEN}, endpoint: "${duck.url}", hosts: [portal], wan: [fiber, lte] }\n`,
      );
      const once = await runCli(['once'], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: trusted.cert } });
      expect(once.code, once.stderr).toBe(0);
      expect(duck.records.get('portal')?.ipv4).toBe(LTE);
      expect([impostor.connections, impostor.from, portal.from]).toEqual([['127.0.0.2'], [], ['127.0.0.3']]);
      const down = once.stderr.split('\n').find((l) => l.includes('Link fiber is down'));
      expect(down).toMatch(/Link fiber is down: probe https:\/\/127\.0\.0\.1:\d+\/health failed: TLS problem: .*DEPTH_ZERO_SELF_SIGNED_CERT/);
      expect(once.stdout + once.stderr).not.toContain(PROBE_KEY);
    } finally {
      await Promise.all([whoami.close(), duck.close(), portal.close(), impostor.close()]);
    }
  });
});

function load(wans: string): WanConfig[] {
  const dir = tempDir();
  const nic =
    'server:\n  nic_update:\n    users:\n      - { username: fiber-router, password: fiber-secret-1, wan: fiber }\n      - { username: lte-router, password: lte-secret-1, wan: lte }\n';
  writeFileSync(join(dir, 'config.yaml'), wans + nic);
  return loadConfig({ providers: PROVIDERS, env: {}, cwd: dir }).wans;
}
