/** The kit's DNS transport against a DNS server on loopback: UDP, TCP after truncation, deadlines, bad answers. */
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createDnsClient, parseDnsServer, queryDns } from '../providers/kit/index.js';
import { reply, startDnsFake, type FakeDns } from './fakes/dns.js';

// Public addresses as data only.
const V4 = '81.2.69.160';

let fake: FakeDns | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('DNS transport', () => {
  it('asks over UDP and reads the answer', async () => {
    fake = await startDnsFake((q) => reply(q, [{ type: 'A', name: 'myip.example', ttl: 0, data: V4 }]));
    const answer = await queryDns(createDnsClient({ timeoutMs: 2000 }), fake, { name: 'myip.example', type: 'A' });
    expect(answer.answers?.[0]).toMatchObject({ type: 'A', data: V4 });
    expect(fake.queries.map((q) => q.transport)).toEqual(['udp']);
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    fake = await startDnsFake((q, transport) =>
      transport === 'udp'
        ? reply(q, [], { flags: dnsPacket.TRUNCATED_RESPONSE })
        : reply(q, [{ type: 'TXT', name: 'big.example', ttl: 0, data: ['x'.repeat(200), 'y'.repeat(200), 'z'.repeat(200)] }]),
    );
    const answer = await queryDns(createDnsClient({ timeoutMs: 2000 }), fake, { name: 'big.example', type: 'TXT' });
    expect(fake.queries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
    expect((answer.answers?.[0] as { data: Buffer[] }).data.map(String).join('')).toHaveLength(600);
  });

  it('over IPv6 loopback too', async () => {
    fake = await startDnsFake((q) => reply(q, [{ type: 'A', name: 'myip.example', ttl: 0, data: V4 }]), '::1');
    const answer = await queryDns(createDnsClient({ timeoutMs: 2000 }), fake, { name: 'myip.example', type: 'A' }, { tcp: true });
    expect(answer.answers?.[0]).toMatchObject({ data: V4 });
    expect(fake.queries.map((q) => q.transport)).toEqual(['tcp']);
  });

  it('gives up at the deadline as a transient failure', async () => {
    fake = await startDnsFake(() => 'drop');
    const started = Date.now();
    await expect(queryDns(createDnsClient({ timeoutMs: 300 }), fake, { name: 'x.example', type: 'A' })).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/no answer within 300ms/),
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an answer that is not a DNS message', async () => {
    fake = await startDnsFake(() => 'garbage');
    await expect(queryDns(createDnsClient({ timeoutMs: 2000 }), fake, { name: 'x.example', type: 'A' })).rejects.toMatchObject({ kind: 'bad-response' });
  });

  it('reads server addresses with and without ports', () => {
    expect(parseDnsServer('192.0.2.53')).toEqual({ host: '192.0.2.53', port: 53 });
    expect(parseDnsServer('ns1.example.net:5353')).toEqual({ host: 'ns1.example.net', port: 5353 });
    expect(parseDnsServer('[2001:db8::53]:5300')).toEqual({ host: '2001:db8::53', port: 5300 });
    expect(parseDnsServer('2001:db8::53')).toEqual({ host: '2001:db8::53', port: 53 });
    expect(parseDnsServer('ns1.example.net:99999')).toMatch(/out of range/);
    expect(parseDnsServer('[nope]:53')).toMatch(/is not a DNS server/);
  });
});
