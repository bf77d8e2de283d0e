import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDnsClient } from '../src/base/dns.js';
import { createEvents, type CycleEvent } from '../src/cycle/events.js';
import { invalidate } from '../src/cycle/apply.js';
import { createHttpClient } from '../src/base/http.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { checksSchema } from '../src/config/checks.js';
import { checkDns } from '../src/reach/dns.js';
import { checkForward, type PortMapper } from '../src/reach/forward.js';
import { createReach } from '../src/reach/index.js';
import { checkPort } from '../src/reach/port.js';
import { emptyState, hostKey } from '../src/state.js';
import { startProbe, type FakeProbe } from './fakes/echoip.js';
import { startZone, type FakeZone } from './fakes/zone.js';
import { fakeClock } from './helpers/clock.js';

const EXTERNAL = '203.0.113.7';
const dns = createDnsClient({ timeoutMs: 2000 });
const http = createHttpClient({ userAgent: 'ddnsd-test' });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function zone(): Promise<FakeZone> {
  const z = await startZone('example.com');
  closers.push(() => z.close());
  return z;
}

const target = { host: 'office.example.com', family: 'ipv4' as const, address: EXTERNAL, proxied: false };

describe('dns check', () => {
  it('finds the zone servers by NS lookup through the resolver and asks them without recursion', async () => {
    const z = await zone();
    z.published.set('office.example.com', [EXTERNAL]);
    const resolver = { host: z.host, port: z.port };
    const [r] = await checkDns([target], { dns, resolvers: [resolver], authoritative: true, authoritativePort: z.port, required: false });
    expect(r?.verdict).toBe('pass');
    expect(r?.summary).toContain('its own DNS servers');
    const direct = z.queries.filter((q) => q.packet.questions?.[0]?.name === 'office.example.com' && ((q.packet.flags ?? 0) & 0x100) === 0);
    // ns1 and ns2 both resolve to 127.0.0.1: each asked once, non-recursively.
    expect(direct).toHaveLength(2);
    expect(z.queries.filter((q) => q.packet.questions?.[0]?.type === 'NS').map((q) => q.packet.questions?.[0]?.name)).toEqual(['office.example.com', 'example.com']);
  });

  it('fails with drift when the zone servers hold another address, naming both', async () => {
    const z = await zone();
    z.published.set('office.example.com', ['198.51.100.9']);
    const [r] = await checkDns([target], { dns, resolvers: [{ host: z.host, port: z.port }], authoritative: true, authoritativePort: z.port, required: true });
    expect(r?.verdict).toBe('fail');
    expect(r?.summary).toContain('answer 198.51.100.9, not 203.0.113.7');
    expect(r?.fix).toContain('sends the address again at its next check');
    expect(r).toMatchObject({ drift: true });
    expect(r?.required).toBe(true);
  });

  it('warns while resolvers still cache the old address the zone servers no longer give', async () => {
    const z = await zone();
    z.published.set('office.example.com', [EXTERNAL]);
    z.cached.set('office.example.com', ['198.51.100.9']);
    const [r] = await checkDns([target], { dns, resolvers: [{ host: z.host, port: z.port }], authoritative: true, authoritativePort: z.port, required: false });
    expect(r?.verdict).toBe('warn');
    expect(r?.summary).toContain('still spreading');
    expect(r?.fix).toContain('60 s');
  });

  it('fails when no record exists and skips Cloudflare-proxied records without asking', async () => {
    const z = await zone();
    const results = await checkDns([target, { ...target, host: 'www.example.com', proxied: true }], {
      dns,
      resolvers: [{ host: z.host, port: z.port }],
      authoritative: [{ host: z.host, port: z.port }],
      required: false,
    });
    expect(results[0]?.verdict).toBe('fail');
    expect(results[0]?.details.join('\n')).toContain('NXDOMAIN');
    expect(results[1]?.verdict).toBe('skip');
    expect(results[1]?.summary).toContain('proxied by Cloudflare');
    expect(z.queries.some((q) => q.packet.questions?.[0]?.name === 'www.example.com')).toBe(false);
  });

  it('warns, and does not fail, when no DNS server answers', async () => {
    const z = await zone();
    const port = z.port;
    await z.close();
    closers.pop();
    const [r] = await checkDns([target], { dns: createDnsClient({ timeoutMs: 300 }), resolvers: [{ host: '127.0.0.1', port }], authoritative: false, required: false });
    expect(r?.verdict).toBe('warn');
    expect(r?.fix).toContain('port 53');
  });
});

async function listening(): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { port: (server.address() as { port: number }).port, server };
}

describe('port check', () => {
  async function probe(open: number[]): Promise<FakeProbe> {
    const p = await startProbe(EXTERNAL, open);
    closers.push(() => p.close());
    return p;
  }
  const entry = { host: 'office.example.com', port: 1234, protocol: 'tcp' as const };

  it('passes when the probe reaches the port, and reports the hairpin attempt apart', async () => {
    const p = await probe([1234]);
    const { port } = await listening();
    const r = await checkPort(
      { ...entry, port },
      { http, probe: `${p.url}/port/{port}`, timeoutMs: 2000, external: EXTERNAL, lan: '192.168.1.20', hairpin: true, hairpinHost: '127.0.0.1', required: false },
    );
    expect(p.open.has(port)).toBe(false);
    expect(r.verdict).toBe('fail');
    p.open.add(port);
    const again = await checkPort(
      { ...entry, port },
      { http, probe: `${p.url}/port/{port}`, timeoutMs: 2000, external: EXTERNAL, lan: '192.168.1.20', hairpin: true, hairpinHost: '127.0.0.1', required: false },
    );
    expect(again.verdict).toBe('pass');
    expect(again.details.find((d) => d.startsWith('hairpin'))).toContain('works');
    expect(p.requests.map((q) => q.url.pathname)).toEqual([`/port/${port}`, `/port/${port}`]);
  });

  it('fails with the forward to set up when the probe cannot reach it; hairpin refused is only a detail', async () => {
    const p = await probe([]);
    const { port, server } = await listening();
    await new Promise<void>((r) => server.close(() => r()));
    const r = await checkPort(
      { ...entry, port },
      { http, probe: `${p.url}/port/{port}`, timeoutMs: 2000, external: EXTERNAL, lan: '192.168.1.20', hairpin: true, hairpinHost: '127.0.0.1', required: true },
    );
    expect(r.verdict).toBe('fail');
    expect(r.summary).toBe(`port ${port} on ${EXTERNAL} is not reachable from the internet`);
    expect(r.fix).toContain(`forward TCP port ${port} to this machine (192.168.1.20)`);
    expect(r.details.join('\n')).toContain('refused');
  });

  it('warns when the probe answers something else, and notes a different outside address', async () => {
    const p = await probe([1234]);
    p.ip = '198.51.100.1';
    const seen = await checkPort(entry, { http, probe: `${p.url}/port/{port}`, timeoutMs: 2000, external: EXTERNAL, lan: undefined, hairpin: false, required: false });
    expect(seen.details.join('\n')).toContain('saw this network as 198.51.100.1, not 203.0.113.7');
    const wrong = await checkPort(entry, { http, probe: `${p.url}/nothing/{port}`, timeoutMs: 2000, external: EXTERNAL, lan: undefined, hairpin: false, required: false });
    expect(wrong.verdict).toBe('warn');
    expect(wrong.summary).toContain('HTTP 404');
  });
});

describe('forward check', () => {
  const entry = { host: 'office.example.com', port: 1234, protocol: 'tcp' as const };
  const lan = [{ interface: 'eth0', family: 'ipv4' as const, address: '192.168.1.37' }];
  const mapper = (to: string | undefined): PortMapper & { asked: number[] } => {
    const asked: number[] = [];
    return { asked, portMapping: async (port) => (asked.push(port), to ? { internalClient: to, internalPort: port } : undefined) };
  };

  it('says in plain words when the forward points at the old LAN address', async () => {
    const m = mapper('192.168.1.20');
    const r = await checkForward(entry, { mapper: m, lan, required: false });
    expect(r.verdict).toBe('fail');
    expect(r.summary).toBe('the router forwards 1234 to 192.168.1.20, but this machine is now 192.168.1.37');
    expect(r.fix).toContain('to 192.168.1.37');
    expect(m.asked).toEqual([1234]);
  });

  it('passes when it points here, warns when none is listed, skips without a UPnP client', async () => {
    expect((await checkForward(entry, { mapper: mapper('192.168.1.37'), lan, required: false })).verdict).toBe('pass');
    expect((await checkForward(entry, { mapper: mapper(undefined), lan, required: false })).verdict).toBe('warn');
    const failing: PortMapper = { portMapping: () => Promise.reject(new Error('no IGD found')) };
    expect((await checkForward(entry, { mapper: failing, lan, required: false })).summary).toContain('no IGD found');
    expect((await checkForward(entry, { mapper: undefined, lan, required: false })).verdict).toBe('skip');
  });
});

describe('reach runs', () => {
  it('tells reachability lost once, nothing while it stays lost, then restored once', async () => {
    const z = await zone();
    const p = await startProbe(EXTERNAL, []);
    closers.push(() => p.close());
    const config = checksSchema.parse({
      dns: { resolvers: [`127.0.0.1:${z.port}`], authoritative: false },
      port: { probe: `${p.url}/port/{port}`, hairpin: false, ports: [{ host: 'office.example.com', port: 1234 }], required: true },
    });
    if (!config) throw new Error('no config');
    const state = emptyState();
    state.detected.ipv4 = { address: EXTERNAL, at: 0 };
    z.published.set('office.example.com', [EXTERNAL]);
    const events = createEvents();
    const seen: CycleEvent[] = [];
    events.on('reachability-changed', (e) => seen.push(e));
    const clock = fakeClock();
    const providers = [{ entry: { families: ['ipv4'], settings: {}, definition: { type: 'x' } }, provider: { label: 'x', hosts: ['office.example.com'] } }] as never;
    const reach = createReach({
      config,
      http,
      dns,
      clock,
      log: createLogger({ format: 'json', level: 'error', redactor: createRedactor(), write: () => {} }),
      events,
      state,
      invalidate: () => false,
      providers,
      lan: () => [],
    });
    for (let i = 0; i < 3; i++) await reach.run();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ check: 'port', verdict: 'fail', previous: undefined, required: true });
    p.open.add(1234);
    await reach.run();
    await reach.run();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ check: 'port', verdict: 'pass', previous: 'fail' });
    expect(reach.last()?.results.map((r) => `${r.check} ${r.verdict}`)).toEqual(['dns pass', 'port pass']);
    expect(p.requests).toHaveLength(5);
  });
});

describe('drift', () => {
  it('forgets the confirmation of a record the zone servers no longer hold, so the next cycle sends it; doctor only looks', async () => {
    const z = await zone();
    z.published.set('office.example.com', ['198.51.100.9']);
    const config = checksSchema.parse({ dns: { resolvers: [`127.0.0.1:${z.port}`], authoritative: [`127.0.0.1:${z.port}`] } });
    if (!config) throw new Error('no config');
    const state = emptyState();
    state.detected.ipv4 = { address: EXTERNAL, at: 0 };
    const key = hostKey('duckdns', 'office.example.com', 'ipv4');
    state.hosts[key] = { provider: 'duckdns', host: 'office.example.com', family: 'ipv4', address: EXTERNAL, confirmedAt: 0, failures: 0 };
    const providers = [{ entry: { families: ['ipv4'], settings: {}, definition: { type: 'duckdns' } }, provider: { label: 'duckdns', hosts: ['office.example.com'] } }] as never;
    const logs: string[] = [];
    const log = createLogger({ format: 'json', level: 'warn', redactor: createRedactor(), write: (l) => logs.push(l) });
    const reach = createReach({
      config,
      http,
      dns,
      clock: fakeClock(),
      log,
      events: createEvents(),
      state,
      invalidate: (k, a) => invalidate(state, k, a),
      providers,
      lan: () => [],
    });
    const looked = await reach.check();
    expect(looked[0]?.verdict).toBe('fail');
    expect(state.hosts[key]?.address).toBe(EXTERNAL);
    await reach.run();
    expect(state.hosts[key]?.address).toBeUndefined();
    expect(logs.join('\n')).toContain('sending it again at the next check');
  });

  it('invalidate forgets only the address the check saw: a host confirmed at another since keeps it', () => {
    const state = emptyState();
    const key = hostKey('duckdns', 'office.example.com', 'ipv4');
    state.hosts[key] = { provider: 'duckdns', host: 'office.example.com', family: 'ipv4', address: '198.51.100.8', confirmedAt: 0, failures: 0 };
    expect(invalidate(state, key, EXTERNAL)).toBe(false);
    expect(state.hosts[key]?.address).toBe('198.51.100.8');
    expect(invalidate(state, 'duckdns missing.example.com ipv4', EXTERNAL)).toBe(false);
    expect(invalidate(state, key, '198.51.100.8')).toBe(true);
    expect(state.hosts[key]?.address).toBeUndefined();
  });
});
