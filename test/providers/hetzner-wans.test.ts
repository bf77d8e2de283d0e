/**
 * wan_mode: all at Hetzner: one record per healthy link in the name's RRSet,
 * a failed link's record removed until it is healthy again, through a real
 * cycle with two links told apart by their bind addresses (127.0.0.2 and
 * 127.0.0.3). Under owned: all the RRSet's records are replaced in one
 * action; under owned: marked only ddnsd's records are added and removed,
 * and a foreign record of the name stays and is reported.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHetzner, type FakeHetzner } from '../fakes/hetzner.js';
import { startWhoAmI, type WhoAmI } from '../fakes/whoami.js';
import { fakeClock } from '../helpers/clock.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';

const FIBER = '81.2.69.160';
const LTE = '81.2.69.192';
const FOREIGN = '81.2.69.200';
const TOKEN = 'hcloudWansTokenA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y';
const RRSET = '/zones/example.com/rrsets/portal/A';

describe('wan_mode: all at Hetzner', () => {
  let whoami: WhoAmI;
  let hz: FakeHetzner;
  let rt: TestRuntime | undefined;
  beforeEach(async () => {
    whoami = await startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE });
    hz = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: ['example.com'] });
  });
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    await Promise.all([whoami.close(), hz.close()]);
  });

  const start = async (owned: string) => {
    rt = await testRuntime(
      `detect:\n  timeout: 2s\nwans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n` +
        `providers:\n  - { type: hetzner, endpoint: "${hz.endpoint}", token: ${TOKEN}, hosts: [portal.example.com], zone: example.com, wan: [fiber, lte], wan_mode: all${owned} }\n`,
      fakeClock(),
    );
    return rt;
  };
  const records = () => (hz.find('example.com', 'portal', 'A')?.records ?? []).map((r) => `${r.value} ${r.comment || '-'}`).sort();
  /** The requests since `from`, with the records each change sent. */
  const sent = (from: number) =>
    hz.requests.slice(from).map((r) => {
      const records = (JSON.parse(r.body || '{}') as { records?: { value: string; comment?: string }[] }).records;
      const what = records ? ` ${records.map((x) => `${x.value}${x.comment ? ` (${x.comment})` : ''}`).join(' ')}` : '';
      return `${r.method} ${r.url.pathname.replace(/^\/v1/, '')}${what}`;
    });

  it("keeps one record per healthy link, replacing the RRSet's records in one action, and sends nothing while the set is the same", async () => {
    const t = await start('');
    expect((await t.run()).ok).toBe(true);
    expect(records()).toEqual([`${FIBER} -`, `${LTE} -`]);
    expect(t.status().hosts[0]).toMatchObject({ address: `${FIBER}, ${LTE}`, status: 'ok', wan: 'fiber, lte' });
    expect(sent(0)).toEqual(['GET /zones/example.com', `GET ${RRSET}`, `POST /zones/example.com/rrsets ${FIBER} ${LTE}`, 'GET /zones/actions/1']);

    let from = hz.requests.length;
    await t.run();
    expect(hz.requests.length).toBe(from); // the same set: nothing asked

    whoami.said.delete('127.0.0.2');
    from = hz.requests.length;
    await t.run();
    expect(records()).toEqual([`${LTE} -`]);
    expect(sent(from)).toEqual([`GET ${RRSET}`, `POST ${RRSET}/actions/set_records ${LTE}`, 'GET /zones/actions/2']);

    whoami.said.set('127.0.0.2', FIBER);
    from = hz.requests.length;
    await t.run();
    expect(records()).toEqual([`${FIBER} -`, `${LTE} -`]);
    expect(sent(from)).toEqual([`GET ${RRSET}`, `POST ${RRSET}/actions/set_records ${FIBER} ${LTE}`, 'GET /zones/actions/3']);
  });

  it('with owned: marked adds and removes only its own records, and leaves a foreign record of the name alone and says it is there', async () => {
    hz.rrsets.push({ zone: 'example.com', name: 'portal', type: 'A', ttl: null, records: [{ value: FOREIGN, comment: 'standby site' }], labels: { team: 'web' } });
    const t = await start(', owned: marked');
    expect((await t.run()).ok).toBe(true);
    expect(records()).toEqual([`${FIBER} managed by ddnsd`, `${LTE} managed by ddnsd`, `${FOREIGN} standby site`]);
    expect(t.status().hosts[0]).toMatchObject({ address: `${FIBER}, ${LTE}`, status: 'ok', foreign: 1 });
    expect(sent(0)).toEqual([
      'GET /zones/example.com',
      `GET ${RRSET}`,
      `POST ${RRSET}/actions/add_records ${FIBER} (managed by ddnsd) ${LTE} (managed by ddnsd)`,
      'GET /zones/actions/1',
    ]);
    expect(t.logs.join('\n')).toMatch(/portal\.example\.com has 1 A record\(s\) at Hetzner without ddnsd's comment .*managed by ddnsd.*; left alone/);

    let from = hz.requests.length;
    await t.run();
    expect(hz.requests.length).toBe(from);

    whoami.said.delete('127.0.0.2');
    from = hz.requests.length;
    await t.run();
    expect(records()).toEqual([`${LTE} managed by ddnsd`, `${FOREIGN} standby site`]);
    expect(sent(from)).toEqual([`GET ${RRSET}`, `POST ${RRSET}/actions/remove_records ${FIBER}`, 'GET /zones/actions/2']);

    whoami.said.set('127.0.0.2', FIBER);
    from = hz.requests.length;
    await t.run();
    expect(records()).toEqual([`${FIBER} managed by ddnsd`, `${LTE} managed by ddnsd`, `${FOREIGN} standby site`]);
    expect(sent(from)).toEqual([`GET ${RRSET}`, `POST ${RRSET}/actions/add_records ${FIBER} (managed by ddnsd)`, 'GET /zones/actions/3']);
    expect(t.status().hosts[0]).toMatchObject({ status: 'ok', foreign: 1 });
    // Said once, not every cycle that reads the RRSet.
    expect(t.logs.filter((l) => l.includes('without ddnsd')).length).toBe(1);
    // The RRSet's labels are not ddnsd's to change.
    expect(hz.find('example.com', 'portal', 'A')?.labels).toEqual({ team: 'web' });
  });
});
