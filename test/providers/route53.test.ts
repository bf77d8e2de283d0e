import { describe, expect, it } from 'vitest';
import { startRoute53 } from '../fakes/route53.js';
import { quietThenNewAddress, useHarness, V4, V4_NEXT, V6 } from '../helpers/provider-harness.js';
import { setProviderCases } from '../helpers/set-cases.js';
import { zoneProviderCases } from '../helpers/zone-cases.js';

const KEY_ID = 'AKIAIOSFODNN7TESTKEY';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET';
const ZONE = 'Z0PUBLIC0EXAMPLE0COM';
const READER_ID = 'AKIAREADONLY0TESTKEY';
const READER_SECRET = 'readOnly/Secret/Key+0123456789abcdefghij';

describe('Route 53 adapter against a local API server (SigV4, XML)', () => {
  const s = useHarness(() => startRoute53({ keys: { [KEY_ID]: SECRET }, zones: { 'example.com': ZONE, 'branch.example.com': { id: 'Z0PRIVATE0BRANCH', private: true } } }));

  const start = (extra: Record<string, unknown> = {}, secret = SECRET) =>
    s.h.start(
      {
        type: 'route53',
        endpoint: s.fake.url,
        access_key_id: '${AWS_ACCESS_KEY_ID}',
        secret_access_key: '${AWS_SECRET_ACCESS_KEY}',
        hosts: ['office.branch.example.com'],
        ...extra,
      },
      { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: secret },
    );

  it('finds the public zone by name (skipping a private one), UPSERTs A and AAAA signed with SigV4, then sends nothing while nothing changes', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(s.fake.find('office.branch.example.com', 'A')).toMatchObject({ zoneId: ZONE, ttl: 300, values: [V4] });
    expect(s.fake.find('office.branch.example.com', 'AAAA')).toMatchObject({ values: [V6] });
    const lookups = s.fake.requests.filter((r) => r.url.pathname.endsWith('/hostedzonesbyname')).map((r) => r.url.searchParams.get('dnsname'));
    expect(lookups).toEqual(['office.branch.example.com', 'branch.example.com', 'example.com']);
    expect(s.fake.calls().slice(3)).toEqual([
      `GET /2013-04-01/hostedzone/${ZONE}/rrset`,
      `POST /2013-04-01/hostedzone/${ZONE}/rrset/`,
      `GET /2013-04-01/hostedzone/${ZONE}/rrset`,
      `POST /2013-04-01/hostedzone/${ZONE}/rrset/`,
    ]);
    const post = s.fake.requests[4];
    expect(post?.body).toContain('<Action>UPSERT</Action>');
    expect(post?.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY_ID}/20261129/us-east-1/route53/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=`),
    );
    expect(post?.headers['x-amz-date']).toBe('20261129T080000Z');
    expect(post?.headers['user-agent']).toMatch(/^ddnsd\//);

    const { sent } = await quietThenNewAddress(s, t);
    expect(s.fake.calls().slice(sent)).toEqual([`GET /2013-04-01/hostedzone/${ZONE}/rrset`, `POST /2013-04-01/hostedzone/${ZONE}/rrset/`]);
    expect(s.fake.find('office.branch.example.com', 'A')?.values).toEqual([V4_NEXT]);
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(SECRET);
    await t.runtime.close();
  });

  it('with hosted_zone_id, looks up no zone; a set at the address is unchanged, the next name in the listing is not mistaken for it', async () => {
    s.fake.sets.push({ zoneId: ZONE, name: 'office.example.com.', type: 'A', ttl: 60, values: [V4] });
    s.fake.sets.push({ zoneId: ZONE, name: 'portal.example.com.', type: 'AAAA', ttl: 60, values: [V6] });
    const t = await start({ hosted_zone_id: `/hostedzone/${ZONE}`, hosts: ['office.example.com'] });
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 unchanged', 'ipv6 updated']);
    expect(s.fake.calls().filter((c) => c.includes('hostedzonesbyname'))).toEqual([]);
    expect(s.fake.calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(s.fake.find('office.example.com', 'AAAA')).toMatchObject({ ttl: 300, values: [V6] });
    await t.runtime.close();
  });

  it('needs attention when the signature does not match, naming the permissions, and sends nothing more', async () => {
    const t = await start({}, 'not/the/right/secret');
    const report = await t.cycle();
    expect(
      report.hosts.every((r) => r.action === 'needs-attention' && r.message?.includes('SignatureDoesNotMatch') && r.message.includes('route53:ChangeResourceRecordSets')),
    ).toBe(true);
    const sent = s.fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(s.fake.requests).toHaveLength(sent);
    await t.runtime.close();
  });

  it('needs attention for a hosted_zone_id Route 53 does not know', async () => {
    const wrongId = await start({ hosted_zone_id: 'Z0NOSUCHZONE', ipv6: false });
    const second = await wrongId.cycle();
    expect(second.hosts[0]?.action).toBe('needs-attention');
    expect(second.hosts[0]?.message).toContain('NoSuchHostedZone');
    await wrongId.runtime.close();
  });

  it("reads a refused change batch (InvalidChangeBatch), shows Route 53's message, and does not send it again every cycle", async () => {
    s.fake.sets.push({ zoneId: ZONE, name: 'office.branch.example.com.', type: 'CNAME', ttl: 300, values: ['office.example.net.'] });
    const t = await start({ hosted_zone_id: ZONE, ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('needs-attention');
    expect(report.hosts[0]?.message).toMatch(
      /refused the change \(InvalidChangeBatch\): RRSet of type A with DNS name office\.branch\.example\.com\. is not permitted because a conflicting RRSet of type CNAME/,
    );
    expect(s.fake.calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
    t.clock.advance(24 * 3600_000);
    await t.cycle();
    expect(s.fake.calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
    await t.runtime.close();
  });

  it('fails an error code the calls do not document for later, not for good', async () => {
    s.fake.failNext(1, 400, 'SomethingNew');
    const t = await start({ hosted_zone_id: ZONE, ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toContain('SomethingNew');
    expect(t.runtime.state.hosts['route53 office.branch.example.com ipv4']?.errorKind).toBe('bad-response');
    await t.runtime.close();
  });

  it('backs off and retries on Throttling and PriorRequestNotComplete (HTTP 400)', async () => {
    s.fake.failNext(1, 400, 'Throttling');
    s.fake.failNext(1, 400, 'PriorRequestNotComplete');
    const t = await start({ hosted_zone_id: ZONE, ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(s.fake.requests).toHaveLength(4);
    expect(t.logs.some((l) => l.includes('Route 53 asks to slow down'))).toBe(true);
    await t.runtime.close();
  });

  it('deletes on stop a set as it reads it: its own TTL and every value, which Route 53 requires of a DELETE', async () => {
    s.fake.sets.push({ zoneId: ZONE, name: 'office.example.com.', type: 'A', ttl: 3600, values: ['81.2.69.160', '81.2.69.192'] });
    const t = await start({ hosted_zone_id: ZONE, hosts: ['office.example.com'], ipv6: false, delete_on_stop: true });
    const provider = t.runtime.providers[0]?.provider;
    expect(await provider?.removeRecords?.(['ipv4'], AbortSignal.timeout(60_000))).toBe(2);
    expect(s.fake.find('office.example.com', 'A')).toBeUndefined();
    const body = s.fake.requests.at(-1)?.body ?? '';
    expect(body).toContain('<Action>DELETE</Action>');
    expect(body).toContain('<TTL>3600</TTL>');
    expect(await provider?.removeRecords?.(['ipv4'], AbortSignal.timeout(60_000))).toBe(0);
    await t.runtime.close();
  });
});

zoneProviderCases({
  type: 'route53',
  noZone: (host) => `no public hosted zone for ${host}`,
  readOnly: /AccessDenied.*route53:ChangeResourceRecordSets/,
  async start() {
    const fake = await startRoute53({ keys: { [KEY_ID]: SECRET, [READER_ID]: READER_SECRET }, readOnly: [READER_ID], zones: { 'example.com': ZONE } });
    return {
      server: fake,
      entry: (hosts, extra = {}, credential = 'right') => ({
        type: 'route53',
        endpoint: fake.url,
        access_key_id: credential === 'right' ? KEY_ID : READER_ID,
        secret_access_key: credential === 'right' ? SECRET : READER_SECRET,
        hosts,
        ...extra,
      }),
      record: (host, family) => fake.find(host, family === 'ipv4' ? 'A' : 'AAAA')?.values[0],
      writes: () => fake.requests.filter((r) => r.method === 'POST'),
      rateLimitNext: (headers) => fake.failNext(1, 429, 'Throttling', headers),
    };
  },
});

setProviderCases({
  type: 'route53',
  async start() {
    const fake = await startRoute53({ keys: { [KEY_ID]: SECRET }, zones: { 'example.com': ZONE } });
    return {
      server: fake,
      entry: () => ({ type: 'route53', endpoint: fake.url, access_key_id: KEY_ID, secret_access_key: SECRET, hosted_zone_id: ZONE }),
      addresses: (host, type) => fake.find(host, type)?.values ?? [],
      add(host, type, address) {
        const set = fake.find(host, type);
        if (set) set.values.push(address);
        else fake.sets.push({ zoneId: ZONE, name: `${host}.`, type, ttl: 300, values: [address] });
      },
      // A change's action, UPSERT or DELETE, is in its body.
      calls: () =>
        fake.requests.map((r) => {
          const action = /<Action>(\w+)<\/Action>/.exec(r.body)?.[1];
          return action === undefined ? `${r.method} ${r.url.pathname}` : `${r.method} ${r.url.pathname} ${action}`;
        }),
    };
  },
  // One ResourceRecordSet holds every address of the name: each change is one UPSERT of the whole set, and one DELETE names it as read.
  requests: {
    both: [`GET /2013-04-01/hostedzone/${ZONE}/rrset`, `POST /2013-04-01/hostedzone/${ZONE}/rrset/ UPSERT`],
    fiberDown: [`GET /2013-04-01/hostedzone/${ZONE}/rrset`, `POST /2013-04-01/hostedzone/${ZONE}/rrset/ UPSERT`],
    fiberBack: [`GET /2013-04-01/hostedzone/${ZONE}/rrset`, `POST /2013-04-01/hostedzone/${ZONE}/rrset/ UPSERT`],
    stop: [`GET /2013-04-01/hostedzone/${ZONE}/rrset`, `POST /2013-04-01/hostedzone/${ZONE}/rrset/ DELETE`],
  },
});
