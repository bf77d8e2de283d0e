import { afterEach, describe, expect, it } from 'vitest';
import { checkAddress } from '../src/base/address.js';
import { createDetector, type Detector } from '../src/detect/index.js';
import { resolveSource, type Source } from '../src/detect/sources.js';
import { startEcho } from './fakes/echo.js';
import { send, startFake, type FakeServer } from './fakes/server.js';

const V4 = '81.2.69.160';
const V4_OTHER = '81.2.69.161';
const V6 = '2a02:8010:1::1';

describe('which answers count as an external address', () => {
  it.each([
    ['81.2.69.160', 'ipv4', '81.2.69.160'],
    ['2a02:8010:0001:0000::1', 'ipv6', '2a02:8010:1::1'],
  ] as const)('accepts %s as %s', (text, family, normalized) => {
    expect(checkAddress(text, family)).toEqual({ ok: true, address: normalized });
  });

  it.each([
    ['', 'ipv4', 'answered nothing'],
    ['<html><body>502 Bad Gateway</body></html>', 'ipv4', 'HTML page'],
    ['hello world', 'ipv4', 'not an address'],
    ['not-an-ip', 'ipv4', 'not an IP address'],
    ['192.168.1.20', 'ipv4', 'private'],
    ['10.0.0.1', 'ipv4', 'private'],
    ['172.16.5.4', 'ipv4', 'private'],
    ['127.0.0.1', 'ipv4', 'loopback'],
    ['169.254.10.1', 'ipv4', 'link-local'],
    ['100.64.1.1', 'ipv4', 'carrier-grade NAT'],
    ['224.0.0.1', 'ipv4', 'multicast'],
    ['203.0.113.7', 'ipv4', 'documentation'],
    ['198.51.100.7', 'ipv4', 'documentation'],
    ['0.0.0.0', 'ipv4', 'unspecified'],
    ['255.255.255.255', 'ipv4', 'broadcast'],
    ['0x51.2.69.160', 'ipv4', 'dotted-quad'],
    [V6, 'ipv4', 'IPv6 address where IPv4 was asked for'],
    [V4, 'ipv6', 'IPv4 address where IPv6 was asked for'],
    ['::1', 'ipv6', 'loopback'],
    ['fe80::1', 'ipv6', 'link-local'],
    ['fd00::1', 'ipv6', 'unique-local'],
    ['2001:db8::1', 'ipv6', 'reserved or documentation'],
    ['ff02::1', 'ipv6', 'multicast'],
    ['::ffff:81.2.69.160', 'ipv6', 'IPv4-mapped'],
    ['2a02:8010:1::1%eth0', 'ipv6', 'with a zone id (%eth0)'],
    ['fe80::1%25', 'ipv6', 'without the %… part'],
  ] as const)('rejects %j as %s', (text, family, reason) => {
    const result = checkAddress(text, family);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('detection from several sources', () => {
  const servers: FakeServer[] = [];
  let detector: Detector | undefined;
  afterEach(async () => {
    await detector?.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const source = (server: FakeServer, path = '/'): Source => {
    servers.push(server);
    const resolved = resolveSource(`${server.url}${path}`, 'ipv4');
    if (typeof resolved === 'string') throw new Error(resolved);
    return resolved;
  };
  const make = (sources: Source[], agree = 2, timeoutMs = 2000, family: 'ipv4' | 'ipv6' = 'ipv4') => {
    detector = createDetector({ sources: { [family]: sources }, agree, timeoutMs, userAgent: 'ddnsd-test' });
    return detector;
  };

  it('trusts an address once enough sources agree', async () => {
    const d = make([source(await startEcho(V4)), source(await startEcho(V4))]);
    const result = await d.detect('ipv4');
    expect(result.address).toBe(V4);
    expect(result.agreeing).toHaveLength(2);
    expect(servers.map((s) => s.requests.length)).toEqual([1, 1]);
    expect(servers[0]?.requests[0]?.headers['user-agent']).toBe('ddnsd-test');
  });

  it('refuses when the sources disagree, naming what each said', async () => {
    const d = make([source(await startEcho(V4)), source(await startEcho(V4_OTHER))]);
    const result = await d.detect('ipv4');
    expect(result.address).toBeUndefined();
    expect(result.error).toMatch(/IPv4 sources disagree \(2 of 2 must agree\)/);
    expect(result.error).toContain(V4);
    expect(result.error).toContain(V4_OTHER);
  });

  it('refuses when too few sources give a usable answer', async () => {
    const d = make([source(await startEcho(V4)), source(await startEcho('192.168.1.2'))]);
    const result = await d.detect('ipv4');
    expect(result.address).toBeUndefined();
    expect(result.error).toContain('a private (LAN) address');
  });

  it('caps agree at the number of sources', async () => {
    const d = make([source(await startEcho(V4))], 3);
    expect((await d.detect('ipv4')).address).toBe(V4);
  });

  it('does not wait for a hanging source once enough others agree', async () => {
    const hanging = await startFake(() => new Promise<void>(() => {}));
    const d = make([source(await startEcho(V4)), source(hanging), source(await startEcho(V4))], 2, 5000);
    const started = performance.now();
    const result = await d.detect('ipv4');
    expect(result.address).toBe(V4);
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('gives up on a source that never answers within the timeout', async () => {
    const hanging = await startFake(() => new Promise<void>(() => {}));
    const d = make([source(hanging), source(await startEcho(V4))], 2, 300);
    const started = performance.now();
    const result = await d.detect('ipv4');
    expect(result.error).toContain('no answer within 300ms');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects redirects, server errors and oversized answers', async () => {
    const redirect = await startFake((_q, res) => send(res, 302, '', { location: 'http://127.0.0.1:1/' }));
    const broken = await startFake((_q, res) => send(res, 503, 'down'));
    const huge = await startFake((_q, res) => send(res, 200, `${V4}\n${'x'.repeat(64 * 1024)}`));
    const d = make([source(redirect), source(broken), source(huge)], 1);
    const result = await d.detect('ipv4');
    expect(result.address).toBeUndefined();
    const errors = Object.fromEntries(result.answers.map((a) => [a.source, a.error]));
    expect(errors[new URL(redirect.url).host]).toContain('redirected (HTTP 302)');
    expect(errors[new URL(broken.url).host]).toContain('answered HTTP 503');
    expect(errors[new URL(huge.url).host]).toContain('larger than 4096 bytes');
  });

  it('reads the ip= line of a cdn-cgi/trace page', async () => {
    const trace = await startFake((_q, res) => send(res, 200, `fl=1\nh=one.one.one.one\nip=${V4}\nts=1\nvisit_scheme=https\n`));
    const d = make([source(trace, '/cdn-cgi/trace')], 1);
    expect((await d.detect('ipv4')).address).toBe(V4);
  });

  it('detects IPv6 from a source reached over IPv6', async () => {
    const echo = await startEcho(V6, '::1');
    servers.push(echo);
    const resolved = resolveSource(`${echo.url}/`, 'ipv6') as Source;
    const d = make([resolved], 1, 2000, 'ipv6');
    expect((await d.detect('ipv6')).address).toBe(V6);
  });

  it('reaches each source over the family it detects', async () => {
    // localhost resolves to 127.0.0.1 here: an IPv4 request reaches the echo, an IPv6-only one cannot.
    const echo = await startEcho(V4);
    servers.push(echo);
    const url = `http://localhost:${new URL(echo.url).port}/`;
    detector = createDetector({
      sources: { ipv4: [resolveSource(url, 'ipv4') as Source], ipv6: [resolveSource(url, 'ipv6') as Source] },
      agree: 1,
      timeoutMs: 2000,
      userAgent: 'ddnsd-test',
    });
    expect((await detector.detect('ipv4')).address).toBe(V4);
    const v6 = await detector.detect('ipv6');
    expect(v6.address).toBeUndefined();
    expect(v6.error).not.toContain('answered');
    expect(echo.requests).toHaveLength(1);
  });

  it('reports cancellation when the cycle is stopped', async () => {
    const hanging = await startFake(() => new Promise<void>(() => {}));
    const d = make([source(hanging)], 1, 5000);
    const stop = new AbortController();
    const pending = d.detect('ipv4', stop.signal);
    setTimeout(() => stop.abort(), 50);
    const result = await pending;
    expect(result.error).toBe('IPv4 detection was cancelled');
  });
});
