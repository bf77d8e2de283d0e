/**
 * The rfc2136 adapter against the loopback fake (test/fakes/rfc2136.ts): what
 * each answer means, the current-record check, messages too big for UDP,
 * several addresses per name and deleting on stop, the settings; and the kit's TSIG against BIND's own tools (nsupdate signs, the
 * kit verifies; the kit signs the answer, nsupdate verifies it).
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDnsClient, DdnsError, type HostUpdate, type Provider } from '../../providers/kit/index.js';
import rfc2136 from '../../providers/rfc2136/index.js';
import { schema } from '../../providers/rfc2136/settings.js';
import { silentLogger } from '../../src/base/log.js';
import { startRfc2136, type FakeRfc2136 } from '../fakes/rfc2136.js';
import { tempDir } from '../helpers/cli.js';
import { fakeClock } from '../helpers/clock.js';
import { loadConfig } from '../helpers/config.js';
import { PROVIDERS } from '../helpers/providers.js';

// Public addresses as data only.
const V4 = '81.2.69.160';
const V4_OLD = '81.2.69.9';
const V6 = '2a02:8010:1::1';
const ZONE = 'example.test';

let fake: FakeRfc2136 | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function provider(f: FakeRfc2136, extra: Record<string, unknown> = {}, now = fakeClock()): Provider {
  const settings = schema.parse({
    type: 'rfc2136',
    server: f.server,
    zone: ZONE,
    key_name: f.key.name,
    key_secret: f.key.secret,
    hosts: [`office.${ZONE}`],
    timeout: '1s',
    ...extra,
  });
  return rfc2136.create(settings, { dns: createDnsClient({ timeoutMs: 1000 }), clock: now, http: {} as never, log: silentLogger });
}

const signal = new AbortController().signal;
const due = (host: string, family: 'ipv4' | 'ipv6' = 'ipv4', address = family === 'ipv4' ? V4 : V6): HostUpdate => ({ host, family, address });

async function failure(p: Provider, updates: HostUpdate[]): Promise<DdnsError> {
  const error = await p.update({ updates, addresses: {}, signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DdnsError);
  return error as DdnsError;
}

describe('rfc2136 adapter', () => {
  it('sends one UPDATE for every due host and family, replacing duplicates', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(`a.${ZONE}/A`, [
      { data: V4_OLD, ttl: 300 },
      { data: '81.2.69.10', ttl: 300 },
    ]);
    const results = await provider(fake, { hosts: [`a.${ZONE}`, `b.${ZONE}`] }).update({
      updates: [due(`a.${ZONE}`), due(`a.${ZONE}`, 'ipv6'), due(`b.${ZONE}`)],
      addresses: {},
      signal,
    });
    expect(results.map((r) => r.outcome)).toEqual(['updated', 'updated', 'updated']);
    expect(fake.updates()).toBe(1);
    expect(fake.records.get(`a.${ZONE}/A`)).toEqual([{ data: V4, ttl: 300 }]);
    expect(fake.records.get(`a.${ZONE}/AAAA`)).toEqual([{ data: V6, ttl: 300 }]);
    expect(fake.records.get(`b.${ZONE}/A`)).toEqual([{ data: V4, ttl: 300 }]);
  });

  it('sends no UPDATE for a record that already has the address and TTL, and one when only the TTL differs', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(`office.${ZONE}/A`, [{ data: V4, ttl: 300 }]);
    const p = provider(fake);
    expect((await p.update({ updates: [due(`office.${ZONE}`)], addresses: {}, signal }))[0]?.outcome).toBe('unchanged');
    expect(fake.updates()).toBe(0);
    expect(fake.received).toHaveLength(1);
    const results = await provider(fake, { ttl: 60 }).update({ updates: [due(`office.${ZONE}`)], addresses: {}, signal });
    expect(results[0]?.outcome).toBe('updated');
    expect(fake.records.get(`office.${ZONE}/A`)).toEqual([{ data: V4, ttl: 60 }]);
  });

  it('goes over TCP when the message is larger than a UDP datagram', async () => {
    fake = await startRfc2136({ zone: ZONE });
    const hosts = Array.from({ length: 20 }, (_, i) => `host-number-${i}.${ZONE}`);
    const results = await provider(fake, { hosts }).update({ updates: hosts.map((h) => due(h)), addresses: {}, signal });
    expect(results.every((r) => r.outcome === 'updated')).toBe(true);
    expect(fake.received.filter((r) => r.opcode === 'UPDATE').map((r) => r.transport)).toEqual(['tcp']);
    expect(fake.records.size).toBe(20);
  });

  it('says which key the server does not know (BADKEY)', async () => {
    fake = await startRfc2136({ zone: ZONE, keyName: 'other-key' });
    const p = provider(fake, { key_name: 'ddnsd-key' });
    const error = await failure(p, [due(`office.${ZONE}`)]);
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/does not know key ddnsd-key with hmac-sha256: check the key clause in named\.conf/);
    expect(fake.updates()).toBe(0);
  });

  it('reports a clock difference (BADTIME) with its size, to try again later: a clock is put right without a config change', async () => {
    const server = fakeClock();
    fake = await startRfc2136({ zone: ZONE, now: () => server.now() });
    const ours = fakeClock(server.now() - 3600_000);
    const error = await failure(provider(fake, {}, ours), [due(`office.${ZONE}`)]);
    expect(error.kind).toBe('bad-response');
    expect(error.message).toMatch(/clock and the server's differ by more than 5 minutes \(by 3600 s\)/);
  });

  it.each([
    ['REFUSED', 'auth', /allow-update \/ update-policy in named\.conf must grant key ddnsd-key the zone example\.test/],
    ['NOTZONE', 'fatal', /not in zone example\.test/],
    ['SERVFAIL', 'transient', /SERVFAIL/],
    ['unsigned', 'bad-response', /without a TSIG signature/],
    ['forged', 'bad-response', /does not verify with key ddnsd-key/],
  ] as const)('an answer %s fails as %s', async (how, kind, message) => {
    fake = await startRfc2136({ zone: ZONE });
    // The current-record query is answered properly; the update gets this answer.
    fake.misbehave(how);
    const error = await failure(provider(fake), [due(`office.${ZONE}`)]);
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(fake.received.map((r) => r.opcode)).toEqual(['QUERY', 'UPDATE']);
  });

  it('sends the update when the server answers the record query unsigned: such an answer proves nothing', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(`office.${ZONE}/A`, [{ data: V4, ttl: 300 }]);
    fake.misbehave('unsigned-queries');
    const results = await provider(fake).update({ updates: [due(`office.${ZONE}`)], addresses: {}, signal });
    expect(results[0]?.outcome).toBe('updated');
    expect(fake.received.map((r) => r.opcode)).toEqual(['QUERY', 'UPDATE']);
  });

  it('a host that is a CNAME needs attention and gets no update', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.cnames.set(`office.${ZONE}`, `elsewhere.${ZONE}`);
    const results = await provider(fake).update({ updates: [due(`office.${ZONE}`)], addresses: {}, signal });
    expect(results[0]).toMatchObject({ outcome: 'failed', error: { kind: 'fatal', message: expect.stringMatching(/is a CNAME/) } });
    expect(fake.updates()).toBe(0);
  });
});

describe('rfc2136 with several addresses per name and delete_on_stop', () => {
  const LTE = '81.2.69.192';
  const set = (addresses: string[], host = `office.${ZONE}`): HostUpdate => ({ host, family: 'ipv4', address: addresses.join(', '), addresses });

  it('makes the RRset exactly the wanted addresses in one UPDATE, sends none for the same set, and drops an address no longer wanted', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(`office.${ZONE}/A`, [{ data: V4_OLD, ttl: 300 }]);
    const p = provider(fake);
    const outcomes = async (addresses: string[]) => (await p.update({ updates: [set(addresses)], addresses: {}, signal })).map((r) => [r.outcome, 'address' in r && r.address]);
    expect(await outcomes([V4, LTE])).toEqual([['updated', `${V4}, ${LTE}`]]);
    expect(fake.updates()).toBe(1);
    expect(fake.records.get(`office.${ZONE}/A`)).toEqual([
      { data: V4, ttl: 300 },
      { data: LTE, ttl: 300 },
    ]);
    expect(await outcomes([LTE, V4])).toEqual([['unchanged', `${LTE}, ${V4}`]]);
    expect(fake.updates()).toBe(1);
    expect(await outcomes([LTE])).toEqual([['updated', LTE]]);
    expect(fake.records.get(`office.${ZONE}/A`)).toEqual([{ data: LTE, ttl: 300 }]);
    expect(fake.updates()).toBe(2);
  });

  it('sends an UPDATE when the RRset holds the wanted addresses and one more', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(
      `office.${ZONE}/A`,
      [V4, LTE, V4_OLD].map((data) => ({ data, ttl: 300 })),
    );
    const results = await provider(fake).update({ updates: [set([V4, LTE])], addresses: {}, signal });
    expect(results.map((r) => r.outcome)).toEqual(['updated']);
    expect(fake.records.get(`office.${ZONE}/A`)?.map((r) => r.data)).toEqual([V4, LTE]);
  });

  it("removeRecords deletes the hosts' RRsets of the families asked, counts the records that were there, and keeps other names and families", async () => {
    fake = await startRfc2136({ zone: ZONE });
    const hosts = [`a.${ZONE}`, `b.${ZONE}`];
    fake.records.set(
      `a.${ZONE}/A`,
      [V4, LTE].map((data) => ({ data, ttl: 300 })),
    );
    fake.records.set(`a.${ZONE}/AAAA`, [{ data: V6, ttl: 300 }]);
    fake.records.set(`b.${ZONE}/A`, [{ data: V4, ttl: 300 }]);
    fake.records.set(`other.${ZONE}/A`, [{ data: V4, ttl: 300 }]);
    const p = provider(fake, { hosts });
    expect(await p.removeRecords?.(['ipv4'], signal)).toBe(3);
    expect(fake.updates()).toBe(1);
    expect([...fake.records.keys()].sort()).toEqual([`a.${ZONE}/AAAA`, `other.${ZONE}/A`]);
    // Nothing left of those families: nothing to delete, no UPDATE.
    expect(await p.removeRecords?.(['ipv4'], signal)).toBe(0);
    expect(fake.updates()).toBe(1);
  });

  it('removeRecords fails as the server answers, so the log says the records may still be there', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(`office.${ZONE}/A`, [{ data: V4, ttl: 300 }]);
    fake.misbehave('REFUSED');
    await expect(provider(fake).removeRecords?.(['ipv4'], signal)).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/REFUSED/) });
    expect(fake.records.get(`office.${ZONE}/A`)).toHaveLength(1);
  });
});

describe('rfc2136 settings', () => {
  const base = { type: 'rfc2136', server: 'ns1.example.net', zone: ZONE, key_name: 'ddnsd-key', key_secret: 'c2VjcmV0LXNlY3JldA==', hosts: [`office.${ZONE}`] };
  const problems = (entry: Record<string, unknown>): string[] => {
    const r = schema.safeParse({ ...base, ...entry });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes defaults and a port', () => {
    expect(schema.parse({ ...base, server: '[2001:db8::53]:5353' })).toMatchObject({ key_algorithm: 'hmac-sha256', ttl: 300, server: '[2001:db8::53]:5353' });
    expect(problems({})).toEqual([]);
  });

  it('takes wan_mode: all and delete_on_stop, and refuses owned: marked saying why', () => {
    const load = (extra: string) => {
      const dir = tempDir();
      writeFileSync(
        join(dir, 'config.yaml'),
        `wans:\n  fiber:\n    ipv4: [ipify]\nproviders:\n  - { type: rfc2136, server: ns1.example.net, zone: ${ZONE}, key_name: ddnsd-key, key_secret: c2VjcmV0LXNlY3JldA==, hosts: [office.${ZONE}], wan: fiber${extra} }\n`,
      );
      return () => loadConfig({ providers: PROVIDERS, env: {}, cwd: dir });
    };
    expect(load(', wan_mode: all, delete_on_stop: true')()).toMatchObject({ providers: [{ wan: { mode: 'all' }, deleteOnStop: true }] });
    expect(load(', owned: marked')).toThrow(/owned .*marked is not available for rfc2136: a DNS record has no field to carry a marker/);
  });

  it('names what is wrong', () => {
    expect(problems({ hosts: ['office.example.net'] })).toEqual([expect.stringMatching(/^hosts\.0: office\.example\.net is not in zone example\.test/)]);
    expect(problems({ key_secret: 'secret "abc"' })).toEqual([expect.stringMatching(/^key_secret: the TSIG key secret is not base64/)]);
    expect(problems({ key_algorithm: 'hmac-sha3' })).toEqual([expect.stringMatching(/^key_algorithm: expected one of hmac-sha256, hmac-sha512/)]);
    expect(problems({ server: 'ns1.example.net:99999' })).toEqual([expect.stringMatching(/^server: port 99999/)]);
    expect(problems({ ttl: -1 })).toHaveLength(1);
    expect(problems({ endpoint: 'https://example.net' })).toEqual([expect.stringMatching(/endpoint/)]);
  });
});

const NSUPDATE = '/usr/bin/nsupdate';
const skipTools = !existsSync(NSUPDATE) && !process.env.CI;

describe.skipIf(skipTools)("TSIG against BIND's nsupdate", () => {
  const nsupdate = (f: FakeRfc2136, secret: string, algorithm = 'hmac-sha256', update = `add nsupdate.${ZONE} 120 A ${V4}`): Promise<{ code: number; output: string }> =>
    new Promise((resolve) => {
      const child = execFile(NSUPDATE, ['-y', `${algorithm}:${f.key.name}:${secret}`, '-t', '3'], { timeout: 10_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
      child.stdin?.end(`server ${f.host} ${f.port}\nzone ${ZONE}\nupdate ${update}\nsend\n`);
    });

  it.each(['hmac-sha256', 'hmac-sha512', 'hmac-sha1', 'hmac-md5'] as const)(
    "%s: the kit verifies what nsupdate signs, and nsupdate verifies the kit's signed answer",
    async (algorithm) => {
      fake = await startRfc2136({ zone: ZONE, algorithm });
      const result = await nsupdate(fake, fake.key.secret, algorithm);
      expect(result.output).not.toMatch(/TSIG|error|failed/i);
      expect(result.code).toBe(0);
      expect(fake.records.get(`nsupdate.${ZONE}/A`)).toEqual([{ data: V4, ttl: 120 }]);
    },
  );

  it('nsupdate refuses an answer whose signature does not verify', async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.misbehave('forged');
    const result = await nsupdate(fake, fake.key.secret);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/tsig/i);
  });

  it('nsupdate with another secret is refused (BADSIG) and changes nothing', async () => {
    fake = await startRfc2136({ zone: ZONE });
    const result = await nsupdate(fake, Buffer.alloc(32, 1).toString('base64'));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/NOTAUTH|BADSIG|tsig/i);
    expect(fake.records.size).toBe(0);
  });

  it("the fake deletes one record by its data as nsupdate asks (class NONE) and keeps the RRset's others", async () => {
    fake = await startRfc2136({ zone: ZONE });
    fake.records.set(
      `nsupdate.${ZONE}/A`,
      [V4, V4_OLD].map((data) => ({ data, ttl: 120 })),
    );
    const result = await nsupdate(fake, fake.key.secret, 'hmac-sha256', `delete nsupdate.${ZONE} A ${V4_OLD}`);
    expect(result.code, result.output).toBe(0);
    expect(fake.records.get(`nsupdate.${ZONE}/A`)).toEqual([{ data: V4, ttl: 120 }]);
  });
});
