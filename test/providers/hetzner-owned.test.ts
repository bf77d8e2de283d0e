/**
 * owned: marked and delete_on_stop at Hetzner: ddnsd writes its comment on
 * the records it adds and changes or removes only records carrying it; a
 * record another tool wrote in the same RRSet stays, and is reported. When
 * ddnsd stops, delete_on_stop removes ddnsd's records of the entry's
 * families, and nothing else.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHetzner, type FakeHetzner } from '../fakes/hetzner.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { PROVIDERS } from '../helpers/providers.js';
import { loadConfig } from '../helpers/config.js';
import { tempDir } from '../helpers/cli.js';
import { startRuntime } from '../helpers/runtime.js';
import { until } from '../helpers/wait.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { startDaemon } from '../../src/main.js';

const V4 = '81.2.69.160';
const V4_NEXT = '81.2.69.161';
const FOREIGN = '81.2.69.200';
const V6 = '2a02:8010:1::1';
const TOKEN = 'hcloudOwnedTokenA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4';
const RRSET = '/zones/example.com/rrsets/portal/A';

describe('owned: marked at Hetzner', () => {
  let echo: EchoServer;
  let hz: FakeHetzner;
  beforeEach(async () => {
    echo = await startEcho(V4);
    hz = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: ['example.com'] });
  });
  afterEach(async () => {
    await Promise.all([echo.close(), hz.close()]);
  });

  const start = (owned: string) =>
    startRuntime(
      `state: ./state.json\ndetect:\n  ipv4: ["${echo.url}/"]\n  agree: 1\n  timeout: 2s\n` +
        `providers:\n  - { type: hetzner, endpoint: "${hz.endpoint}", token: ${TOKEN}, hosts: [portal.example.com], zone: example.com, ipv6: false${owned} }\n`,
    );
  const records = () => (hz.find('example.com', 'portal', 'A')?.records ?? []).map((r) => `${r.value} ${r.comment || '-'}`).sort();
  const posts = (from = 0) =>
    hz
      .calls()
      .slice(from)
      .filter((c) => c.startsWith('POST'));

  it('adds its own marked record beside a foreign one, moves only its own, and reports the foreign one', async () => {
    hz.rrsets.push({ zone: 'example.com', name: 'portal', type: 'A', ttl: null, records: [{ value: FOREIGN, comment: 'failover box' }] });
    const { cycle, runtime } = await start(', owned: marked, comment: managed by ddnsd (office)');
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4} managed by ddnsd (office)`, `${FOREIGN} failover box`]);
    expect(posts()).toEqual([`POST ${RRSET}/actions/add_records`]);

    echo.answer = V4_NEXT;
    const from = hz.calls().length;
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4_NEXT} managed by ddnsd (office)`, `${FOREIGN} failover box`]);
    // Added before removed: the name never answers with no address of ddnsd's.
    expect(posts(from)).toEqual([`POST ${RRSET}/actions/add_records`, `POST ${RRSET}/actions/remove_records`]);
    expect(JSON.parse(hz.requests.filter((r) => r.method === 'POST').at(-1)?.body ?? '{}')).toEqual({ records: [{ value: V4 }] });
    expect(runtime.status().hosts[0]).toMatchObject({ address: V4_NEXT, status: 'ok', foreign: 1 });
    await runtime.close();
  });

  it('takes a record without its comment for foreign, even at the address, and neither changes nor duplicates it', async () => {
    hz.rrsets.push({ zone: 'example.com', name: 'portal', type: 'A', ttl: null, records: [{ value: V4, comment: '' }] });
    const { cycle, runtime } = await start(', owned: marked');
    const report = await cycle();
    expect(report.hosts.map((h) => h.action)).toEqual(['unchanged']);
    expect(posts()).toEqual([]);
    expect(records()).toEqual([`${V4} -`]);
    expect(runtime.status().hosts[0]).toMatchObject({ status: 'ok', foreign: 1 });

    // Once the address moves, ddnsd adds its own record and leaves the foreign one where it is.
    echo.answer = V4_NEXT;
    expect((await cycle()).ok).toBe(true);
    expect(records()).toEqual([`${V4} -`, `${V4_NEXT} managed by ddnsd`]);
    expect(posts()).toEqual([`POST ${RRSET}/actions/add_records`]);
    await runtime.close();
  });

  it("owned: all (the default) keeps one address: every record of the RRSet is ddnsd's and set_records replaces them", async () => {
    hz.rrsets.push({
      zone: 'example.com',
      name: 'portal',
      type: 'A',
      ttl: null,
      records: [
        { value: FOREIGN, comment: 'failover box' },
        { value: V4, comment: 'router' },
      ],
    });
    const { cycle, runtime } = await start('');
    expect((await cycle()).ok).toBe(true);
    // The record at the address keeps its comment; the other goes.
    expect(records()).toEqual([`${V4} router`]);
    expect(posts()).toEqual([`POST ${RRSET}/actions/set_records`]);
    expect(runtime.status().hosts[0]).not.toHaveProperty('foreign');
    await runtime.close();
  });
});

describe('delete_on_stop at Hetzner', () => {
  it("removes ddnsd's own records of the entry's families when ddnsd stops, and leaves foreign records and other families", async () => {
    const echo = await startEcho(V4);
    // The daemon runs on the real clock: actions end at once, so no poll waits 2 s.
    const hz = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: ['example.com'], actionPolls: 0 });
    try {
      hz.rrsets.push({ zone: 'example.com', name: 'portal', type: 'A', ttl: null, records: [{ value: FOREIGN, comment: 'standby instance' }] });
      // An AAAA record of ddnsd's: this entry updates IPv4 only, so it is not the entry's to delete.
      hz.rrsets.push({ zone: 'example.com', name: 'portal', type: 'AAAA', ttl: null, records: [{ value: V6, comment: 'managed by ddnsd' }] });
      const dir = tempDir();
      writeFileSync(
        join(dir, 'config.yaml'),
        `state: ./state.json\nserver:\n  listen: 127.0.0.1:0\ndetect:\n  ipv4: ["${echo.url}/"]\n  agree: 1\n` +
          `providers:\n  - { type: hetzner, endpoint: "${hz.endpoint}", token: ${TOKEN}, hosts: [portal.example.com], zone: example.com, ipv6: false, owned: marked, delete_on_stop: true }\n`,
      );
      const config = loadConfig({ providers: PROVIDERS, env: {}, cwd: dir });
      const redactor = createRedactor();
      const daemon = await startDaemon(config, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [] });
      const mine = () => hz.find('example.com', 'portal', 'A')?.records.filter((r) => r.comment === 'managed by ddnsd').length ?? 0;
      await until(() => mine() === 1, 10_000, 'the record created');
      const from = hz.calls().length;
      await daemon.stop();
      expect(hz.find('example.com', 'portal', 'A')?.records).toEqual([{ value: FOREIGN, comment: 'standby instance' }]);
      expect(hz.find('example.com', 'portal', 'AAAA')?.records).toEqual([{ value: V6, comment: 'managed by ddnsd' }]);
      expect(hz.calls().slice(from)).toEqual([`GET ${RRSET}`, `POST ${RRSET}/actions/remove_records`]);
      expect(JSON.parse(hz.requests.at(-1)?.body ?? '{}')).toEqual({ records: [{ value: V4 }] });
      expect(daemon.runtime.state.hosts).toEqual({});
    } finally {
      await Promise.all([echo.close(), hz.close()]);
    }
  });
});
