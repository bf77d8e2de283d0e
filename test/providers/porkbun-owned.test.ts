/**
 * owned: marked at Porkbun: ddnsd writes its note on the record it creates
 * and changes only records carrying it, by id (editByNameType would set
 * every record of the name and type); a record another tool or a person
 * wrote at the name is left alone, and reported.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPorkbun, type FakePorkbun } from '../fakes/porkbun.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { startRuntime } from '../helpers/runtime.js';

const V4 = '81.2.69.160';
const V4_NEXT = '81.2.69.161';
const FOREIGN = '81.2.69.200';
const KEY = 'pk1_owned5d1e0c9b8a7f6e5d';
const SECRET = 'sk1_owned2c3d4e5f6a7b8c9d';

describe('owned: marked at Porkbun', () => {
  let echo: EchoServer;
  let pb: FakePorkbun;
  beforeEach(async () => {
    echo = await startEcho(V4);
    pb = await startPorkbun({ apikey: KEY, secretapikey: SECRET, domains: { 'example.com': true } });
  });
  afterEach(async () => {
    await Promise.all([echo.close(), pb.close()]);
  });

  const start = (owned: string) =>
    startRuntime(
      `state: ./state.json\ndetect:\n  ipv4: ["${echo.url}/"]\n  agree: 1\n  timeout: 2s\n` +
        `providers:\n  - { type: porkbun, endpoint: "${pb.endpoint}", api_key: ${KEY}, secret_api_key: ${SECRET}, hosts: [portal.example.com], zone: example.com, ipv6: false${owned} }\n`,
    );
  const records = () =>
    pb
      .find('portal.example.com', 'A')
      .map((r) => `${r.content} ${r.notes || '-'}`)
      .sort();

  it('creates its own noted record beside a foreign one, changes only its own by id, and reports the foreign one', async () => {
    pb.records.push({ id: '7', domain: 'example.com', name: 'portal', type: 'A', content: FOREIGN, ttl: 600, notes: 'failover box' });
    const { cycle, runtime, logs } = await start(', owned: marked, comment: managed by ddnsd (office)');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4} managed by ddnsd (office)`, `${FOREIGN} failover box`]);
    expect(pb.calls()).toEqual(['/dns/retrieveByNameType/example.com/A/portal', '/dns/create/example.com']);
    expect(logs.join('\n')).toMatch(/portal\.example\.com has 1 A record\(s\) at Porkbun without ddnsd's note .*managed by ddnsd \(office\).*; left alone/);

    echo.answer = V4_NEXT;
    const from = pb.calls().length;
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4_NEXT} managed by ddnsd (office)`, `${FOREIGN} failover box`]);
    const mine = pb.find('portal.example.com', 'A').find((r) => r.notes !== 'failover box');
    expect(pb.calls().slice(from)).toEqual(['/dns/retrieveByNameType/example.com/A/portal', `/dns/edit/example.com/${mine?.id}`]);
    expect(JSON.parse(pb.requests.at(-1)?.body ?? '{}')).toMatchObject({ name: 'portal', type: 'A', content: V4_NEXT, ttl: '600', notes: 'managed by ddnsd (office)' });
    expect(runtime.status().hosts[0]).toMatchObject({ address: V4_NEXT, status: 'ok', foreign: 1 });
    expect(logs.filter((l) => l.includes('without ddnsd')).length).toBe(1);
    await runtime.close();
  });

  it('keeps one of its own records when it finds two, deleting the other by id, and never touches a foreign one', async () => {
    pb.records.push(
      { id: '7', domain: 'example.com', name: 'portal', type: 'A', content: FOREIGN, ttl: 600, notes: 'managed by ddnsd' },
      { id: '8', domain: 'example.com', name: 'portal', type: 'A', content: FOREIGN, ttl: 600, notes: 'written by hand' },
      { id: '9', domain: 'example.com', name: 'portal', type: 'A', content: '81.2.69.201', ttl: 600, notes: 'managed by ddnsd' },
    );
    const { cycle, runtime } = await start(', owned: marked');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4} managed by ddnsd`, `${FOREIGN} written by hand`]);
    expect(pb.calls()).toEqual(['/dns/retrieveByNameType/example.com/A/portal', '/dns/edit/example.com/7', '/dns/delete/example.com/9']);
    await runtime.close();
  });

  it("owned: all (the default) keeps today's behaviour: one editByNameType sets every record of the name", async () => {
    pb.records.push({ id: '7', domain: 'example.com', name: 'portal', type: 'A', content: FOREIGN, ttl: 600, notes: 'failover box' });
    const { cycle, runtime } = await start('');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4} failover box`]);
    expect(pb.calls()).toEqual(['/dns/retrieveByNameType/example.com/A/portal', '/dns/editByNameType/example.com/A/portal']);
    expect(runtime.status().hosts[0]).not.toHaveProperty('foreign');
    await runtime.close();
  });
});
