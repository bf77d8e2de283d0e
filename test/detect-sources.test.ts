import dnsPacket from 'dns-packet';
import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../src/detect/index.js';
import { interfaceAddress, parseIfInet6, type InterfaceReader } from '../src/detect/interface.js';
import { parseNetstat, parseProcRoute } from '../src/detect/natpmp.js';
import { createPushStore } from '../src/detect/push.js';
import { BUILT_IN_SOURCES, resolveSource, type Source } from '../src/detect/sources.js';
import { findService, getSpecificPortMapping } from '../src/detect/upnp.js';
import { createHttpClient } from '../src/base/http.js';
import { reply, startDnsFake, type FakeDns } from './fakes/dns.js';
import { startNatpmp, type NatpmpFake } from './fakes/natpmp.js';
import { startIgd, type IgdFake } from './fakes/upnp.js';

const V4 = '81.2.69.160';
const V6 = '2a02:8010:1::1';

const resolved = (ref: string, family: 'ipv4' | 'ipv6' = 'ipv4'): Source => {
  const s = resolveSource(ref, family);
  if (typeof s === 'string') throw new Error(s);
  return s;
};

let detector: Detector | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await detector?.close();
  detector = undefined;
  await Promise.all(closers.splice(0).map((c) => c()));
});

const noNetwork = {
  discover: () => Promise.reject(new Error('SSDP is not used in tests')),
  gateway: () => Promise.resolve(undefined),
};

describe('DNS sources', () => {
  const dns = async (handler: Parameters<typeof startDnsFake>[0], host = '127.0.0.1'): Promise<FakeDns> => {
    const fake = await startDnsFake(handler, host);
    closers.push(fake.close);
    return fake;
  };

  it('the built-ins ask the right question of the right servers, per family', () => {
    const opendns = BUILT_IN_SOURCES.opendns;
    expect(opendns?.ipv4).toMatchObject({ kind: 'dns', question: { name: 'myip.opendns.com', type: 'A', class: 'IN' } });
    expect(opendns?.ipv6).toMatchObject({ question: { type: 'AAAA' }, servers: [{ host: '2620:119:35::35' }, { host: '2620:119:53::53' }] });
    expect(BUILT_IN_SOURCES['cloudflare-dns']?.ipv4).toMatchObject({ servers: [{ host: '1.1.1.1', port: 53 }], question: { name: 'whoami.cloudflare', type: 'TXT', class: 'CH' } });
    expect(BUILT_IN_SOURCES['google-dns']?.ipv6).toMatchObject({ servers: [{ host: '2001:4860:4802:32::a' }], question: { name: 'o-o.myaddr.l.google.com', type: 'TXT' } });
  });

  it('reads an A answer, asked over IPv4', async () => {
    const fake = await dns((q) => reply(q, [{ name: 'myip.opendns.com', type: 'A', class: 'IN', ttl: 0, data: V4 }]));
    detector = createDetector({ sources: { ipv4: [resolved(`dns://127.0.0.1:${fake.port}/myip.opendns.com?type=A`)] }, agree: 1, timeoutMs: 2000, userAgent: 't', ...noNetwork });
    const result = await detector.detect('ipv4');
    expect(result.address).toBe(V4);
    expect(result.answers).toEqual([{ source: 'dns:myip.opendns.com', kind: 'dns', address: V4 }]);
    expect(fake.queries).toHaveLength(1);
    expect(fake.queries[0]?.packet.questions?.[0]).toMatchObject({ name: 'myip.opendns.com', type: 'A', class: 'IN' });
  });

  it('reads a CH TXT answer over IPv6 from an IPv6 server', async () => {
    const fake = await dns((q) => reply(q, [{ name: 'whoami.cloudflare', type: 'TXT', class: 'CH', ttl: 0, data: [V6] } as dnsPacket.Answer]), '::1');
    detector = createDetector({
      sources: { ipv6: [resolved(`dns://[::1]:${fake.port}/whoami.cloudflare?type=TXT&class=CH`, 'ipv6')] },
      agree: 1,
      timeoutMs: 2000,
      userAgent: 't',
      ...noNetwork,
    });
    expect((await detector.detect('ipv6')).address).toBe(V6);
    expect(fake.queries[0]?.packet.questions?.[0]).toMatchObject({ type: 'TXT', class: 'CH' });
  });

  it('refuses a server of the other family, so the question travels over the family detected', () => {
    expect(resolveSource('dns://127.0.0.1/myip.opendns.com', 'ipv6')).toContain('must be an IPv6 address');
    expect(resolveSource('dns://[::1]/myip.opendns.com', 'ipv4')).toContain('must be an IPv4 address');
    expect(resolveSource('dns://127.0.0.1/x?type=MX', 'ipv4')).toContain('type must be A, AAAA or TXT');
  });

  it('rejects NXDOMAIN, answers about another name, garbage and private addresses', async () => {
    const cases: [Parameters<typeof startDnsFake>[0], string][] = [
      [(q) => reply(q, [], { flags: dnsPacket.RECURSION_AVAILABLE | 3 }), 'answered NXDOMAIN'],
      [(q) => reply(q, [{ name: 'evil.example', type: 'A', class: 'IN', ttl: 0, data: V4 }]), 'no A record for myip.opendns.com'],
      [() => 'garbage', 'not a DNS message'],
      [(q) => reply(q, [{ name: 'myip.opendns.com', type: 'A', class: 'IN', ttl: 0, data: '100.64.0.7' }]), 'carrier-grade NAT'],
      [(q) => reply(q, [{ name: 'myip.opendns.com', type: 'TXT', class: 'IN', ttl: 0, data: ['hello'] } as dnsPacket.Answer]), 'no A record'],
    ];
    const sources: Source[] = [];
    for (const [handler] of cases) {
      const fake = await dns(handler);
      sources.push({ ...resolved(`dns://127.0.0.1:${fake.port}/myip.opendns.com`), name: `fake${sources.length}` } as Source);
    }
    detector = createDetector({ sources: { ipv4: sources }, agree: 1, timeoutMs: 2000, userAgent: 't', ...noNetwork });
    const result = await detector.detect('ipv4');
    expect(result.address).toBeUndefined();
    const errors = Object.fromEntries(result.answers.map((a) => [a.source, a.error]));
    cases.forEach(([, words], i) => expect(errors[`fake${i}`]).toContain(words));
  });

  it('tries the second server when the first does not answer, within the deadline', async () => {
    const silent = await dns(() => 'drop');
    const good = await dns((q) => reply(q, [{ name: 'myip.opendns.com', type: 'A', class: 'IN', ttl: 0, data: V4 }]));
    const source: Source = {
      kind: 'dns',
      name: 'opendns',
      servers: [
        { host: '127.0.0.1', port: silent.port },
        { host: '127.0.0.1', port: good.port },
      ],
      question: { name: 'myip.opendns.com', type: 'A', class: 'IN' },
    };
    detector = createDetector({
      sources: { ipv4: [source] },
      agree: 1,
      timeoutMs: 1500,
      userAgent: 't',
      dns: { exchange: (s, m, o) => import('../src/base/dns.js').then(({ createDnsClient }) => createDnsClient({ timeoutMs: 300 }).exchange(s, m, o)) },
      ...noNetwork,
    });
    const result = await detector.detect('ipv4');
    expect(result.address).toBe(V4);
    expect([silent.queries.length, good.queries.length]).toEqual([1, 1]);
  });

  it('gives up on a silent DNS source at the detection deadline', async () => {
    const silent = await dns(() => 'drop');
    detector = createDetector({ sources: { ipv4: [resolved(`dns://127.0.0.1:${silent.port}/myip.opendns.com`)] }, agree: 1, timeoutMs: 300, userAgent: 't', ...noNetwork });
    const started = performance.now();
    const result = await detector.detect('ipv4');
    expect(result.answers[0]?.error).toContain('no answer within 300ms');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('interface source', () => {
  const info = (address: string, family: 'IPv4' | 'IPv6'): NetworkInterfaceInfo =>
    ({ address, family, internal: false, netmask: '', mac: '00:11:22:33:44:55', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
  const table = {
    eth0: [
      info('192.168.178.20', 'IPv4'),
      info('fe80::211:22ff:fe33:4455', 'IPv6'),
      info('2a02:8010:1:0:8d3a:1b2c:3d4e:5f60', 'IPv6'), // temporary
      info('2a02:8010:1:0:211:22ff:fe33:4455', 'IPv6'), // EUI-64, stable
      info('2a02:8010:2:0:211:22ff:fe33:4455', 'IPv6'), // the old prefix, deprecated
    ],
    ppp0: [info(V4, 'IPv4')],
  };
  const ifInet6 = [
    'fe80000000000000021122fffe334455 02 40 20 80     eth0',
    '2a028010000100008d3a1b2c3d4e5f60 02 40 00 01     eth0',
    '2a02801000010000021122fffe334455 02 40 00 00     eth0',
    '2a02801000020000021122fffe334455 02 40 00 20     eth0',
  ].join('\n');
  const linux: InterfaceReader = { table: () => table, ipv6Flags: () => parseIfInet6(ifInet6) };

  it('reads /proc/net/if_inet6 flags', () => {
    const flags = parseIfInet6(ifInet6);
    expect(flags.get('2a02:8010:1:0:8d3a:1b2c:3d4e:5f60')).toBe(0x01);
    expect(flags.get('2a02:8010:2:0:211:22ff:fe33:4455')).toBe(0x20);
  });

  it('skips temporary and deprecated IPv6 addresses on Linux, and says so', () => {
    expect(interfaceAddress(linux, 'eth0', 'ipv6')).toEqual({ text: '2a02:8010:1:0:211:22ff:fe33:4455', note: 'skipped 1 temporary, 1 deprecated addresses' });
  });

  it('picks the EUI-64 address where the platform cannot tell temporary ones, with a note', () => {
    const mac: InterfaceReader = { table: () => ({ en0: table.eth0.filter((i) => !i.address.startsWith('2a02:8010:2')) }), ipv6Flags: () => undefined };
    const answer = interfaceAddress(mac, 'en0', 'ipv6');
    expect(answer.text).toBe('2a02:8010:1:0:211:22ff:fe33:4455');
    expect(answer.note).toContain('does not tell temporary');
  });

  it('goes through the detector with the status note, and rejects a LAN-only interface', async () => {
    detector = createDetector({
      sources: { ipv4: [resolved('interface:ppp0'), resolved('interface:eth0'), resolved('interface:wlan9')], ipv6: [resolved('interface:eth0', 'ipv6')] },
      agree: 3,
      timeoutMs: 1000,
      userAgent: 't',
      interfaces: linux,
      ...noNetwork,
    });
    const v4 = await detector.detect('ipv4');
    expect(v4.answers.find((a) => a.source === 'interface:ppp0')?.address).toBe(V4);
    expect(v4.answers.find((a) => a.source === 'interface:eth0')?.error).toContain('no global IPv4 address (only 192.168.178.20)');
    expect(v4.answers.find((a) => a.source === 'interface:wlan9')?.error).toContain('no interface named wlan9 (this machine has eth0, ppp0)');
    const v6 = await detector.detect('ipv6');
    expect(v6.answers[0]).toMatchObject({ kind: 'interface', address: '2a02:8010:1:0:211:22ff:fe33:4455', note: expect.stringContaining('temporary') });
  });
});

describe('router sources: UPnP IGD and NAT-PMP', () => {
  const igd = async (external: string | undefined, serviceType?: string): Promise<IgdFake> => {
    const fake = await startIgd(external, serviceType);
    closers.push(fake.close);
    return fake;
  };
  const natpmp = async (answer: NatpmpFake['answer']): Promise<NatpmpFake> => {
    const fake = await startNatpmp(answer);
    closers.push(fake.close);
    return fake;
  };

  it('asks the gateway for its external address over SOAP', async () => {
    const fake = await igd(V4);
    detector = createDetector({ sources: { ipv4: [resolved(`upnp:${fake.location}`)] }, agree: 1, timeoutMs: 2000, userAgent: 't', ...noNetwork });
    const result = await detector.detect('ipv4');
    expect(result.address).toBe(V4);
    expect(fake.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['GET /igd.xml', 'POST /ctl/IPConn']);
    expect(fake.requests[1]?.headers.soapaction).toBe('"urn:schemas-upnp-org:service:WANIPConnection:1#GetExternalIPAddress"');
  });

  it('reports a private or CGNAT WAN address as such (the router is behind another NAT)', async () => {
    const fake = await igd('100.64.12.1');
    const lan = await igd('192.168.0.2', 'urn:schemas-upnp-org:service:WANPPPConnection:1');
    detector = createDetector({
      sources: { ipv4: [resolved(`upnp:${fake.location}`), { ...resolved(`upnp:${lan.location}`), name: 'upnp2' } as Source] },
      agree: 1,
      timeoutMs: 2000,
      userAgent: 't',
      ...noNetwork,
    });
    const result = await detector.detect('ipv4');
    expect(result.address).toBeUndefined();
    expect(result.answers.find((a) => a.source === 'upnp')?.error).toContain('carrier-grade NAT');
    expect(result.answers.find((a) => a.source === 'upnp2')?.error).toContain('private (LAN) address');
  });

  it('falls back to NAT-PMP at the default gateway when UPnP refuses', async () => {
    const fake = await igd(undefined);
    const pmp = await natpmp(V4);
    const source: Source = { kind: 'upnp', name: 'upnp', location: fake.location, natpmp: true };
    const gateway = () => Promise.resolve({ host: '127.0.0.1', port: pmp.port });
    detector = createDetector({ sources: { ipv4: [source] }, agree: 1, timeoutMs: 2000, userAgent: 't', discover: noNetwork.discover, gateway });
    const result = await detector.detect('ipv4');
    expect(result.address).toBe(V4);
    expect(result.answers[0]?.note).toContain('NAT-PMP (UPnP failed: the UPnP gateway refused GetExternalIPAddress (UPnP error 501: Action Failed))');
    expect(pmp.requests).toBe(1);
    pmp.answer = { result: 3 };
    const both = await detector.detect('ipv4');
    expect(both.answers[0]?.error).toMatch(/^UPnP: .*UPnP error 501.*; NAT-PMP: .*result 3: network failure/);
  });

  it('reads NAT-PMP failures and silence', async () => {
    const refused = await natpmp({ result: 2 });
    const silent = await natpmp('drop');
    detector = createDetector({
      sources: { ipv4: [resolved(`natpmp:127.0.0.1:${refused.port}`), { ...resolved(`natpmp:127.0.0.1:${silent.port}`), name: 'silent' } as Source] },
      agree: 1,
      timeoutMs: 300,
      userAgent: 't',
      ...noNetwork,
    });
    const result = await detector.detect('ipv4');
    expect(result.answers.find((a) => a.source === 'natpmp')?.error).toContain('result 2: not authorized or refused');
    expect(result.answers.find((a) => a.source === 'silent')?.error).toContain('no answer within 300ms');
  });

  it('finds the default gateway in /proc/net/route and in netstat -rn', () => {
    const route =
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n' +
      'eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n' +
      'eth0\t00000000\t01B2A8C0\t0003\t0\t0\t0\t00000000\n';
    expect(parseProcRoute(route)).toBe('192.168.178.1');
    expect(parseNetstat('Routing tables\n\nInternet:\nDestination        Gateway            Flags\ndefault            192.168.178.1      UGScg          en0\n')).toBe(
      '192.168.178.1',
    );
  });

  it('reads one port mapping, and none for a port not mapped', async () => {
    const fake = await igd(V4);
    fake.mappings.set('TCP 443', { client: '192.168.178.20', port: 8443, description: 'portal' });
    const http = createHttpClient({ userAgent: 't' });
    const service = await findService({ http }, fake.location);
    expect(await getSpecificPortMapping({ http }, service, { externalPort: 443, protocol: 'TCP' })).toEqual({
      internalClient: '192.168.178.20',
      internalPort: 8443,
      enabled: true,
      description: 'portal',
      leaseSeconds: 0,
    });
    expect(await getSpecificPortMapping({ http }, service, { externalPort: 80, protocol: 'TCP' })).toBeUndefined();
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('refuses a description that is not on the LAN, and IPv6 for router sources', async () => {
    const http = createHttpClient({ userAgent: 't' });
    await expect(findService({ http }, 'http://81.2.69.160:49000/igd.xml')).rejects.toThrow('not on the LAN');
    expect(resolveSource('upnp', 'ipv6')).toContain('does not detect IPv6');
    expect(resolveSource('natpmp:192.168.1.1', 'ipv6')).toContain('does not detect IPv6');
  });
});

describe('push source', () => {
  it('answers the pushed address while it is fresh', async () => {
    let now = 1_000_000;
    const push = createPushStore(() => now, 600_000);
    detector = createDetector({ sources: { ipv4: [resolved('push')] }, agree: 1, timeoutMs: 1000, userAgent: 't', push, ...noNetwork });
    expect((await detector.detect('ipv4')).answers[0]?.error).toContain('no router has pushed');
    expect(push.set('ipv4', V4)).toEqual({ changed: true });
    expect(push.set('ipv4', V4)).toEqual({ changed: false });
    expect((await detector.detect('ipv4')).address).toBe(V4);
    now += 600_001;
    expect((await detector.detect('ipv4')).answers[0]?.error).toContain('older than 10 min;');
  });
});
