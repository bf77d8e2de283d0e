/**
 * wan_mode: all at Cloudflare: one record per healthy link, a failed link's
 * record removed until it is healthy again, and (with owned: marked) a
 * foreign record of the name left alone throughout. The links are told
 * apart by their bind addresses, 127.0.0.2 and 127.0.0.3.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCloudflare, type FakeCloudflare } from '../fakes/cloudflare.js';
import { startWhoAmI, type WhoAmI } from '../fakes/whoami.js';
import { fakeClock } from '../helpers/clock.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';

const FIBER = '81.2.69.160';
const LTE = '81.2.69.192';
const FOREIGN = '81.2.69.200';
const TOKEN = 'cf-token-wans-1a2b3c4d5e6f';
const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

describe('wan_mode: all at Cloudflare', () => {
  let whoami: WhoAmI;
  let cf: FakeCloudflare;
  let rt: TestRuntime | undefined;
  beforeEach(async () => {
    whoami = await startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE });
    cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
  });
  afterEach(async () => {
    await rt?.close();
    await Promise.all([whoami.close(), cf.close()]);
  });

  const records = () =>
    [...cf.records.values()]
      .filter((r) => r.name === 'portal.example.com')
      .map((r) => `${r.content} ${r.comment ?? '-'}`)
      .sort();

  it("keeps one record per healthy link, removes a failed link's record until it is back, and leaves a foreign record alone", async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: FOREIGN, ttl: 1, proxied: false, comment: 'standby site' });
    rt = await testRuntime(
      `detect:\n  timeout: 2s\nwans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n` +
        `providers:\n  - { type: cloudflare, endpoint: "${cf.endpoint}", token: ${TOKEN}, hosts: [portal.example.com], wan: [fiber, lte], wan_mode: all, owned: marked }\n`,
      fakeClock(),
    );
    expect((await rt.run()).ok).toBe(true);
    expect(records()).toEqual([`${FIBER} managed by ddnsd`, `${LTE} managed by ddnsd`, `${FOREIGN} standby site`]);
    expect(rt.status().hosts[0]).toMatchObject({ address: `${FIBER}, ${LTE}`, status: 'ok', wan: 'fiber, lte', foreign: 1 });

    const writes = cf.requests.length;
    await rt.run();
    expect(cf.requests.length).toBe(writes); // nothing changed: nothing asked

    whoami.said.delete('127.0.0.2');
    await rt.run();
    expect(records()).toEqual([`${LTE} managed by ddnsd`, `${FOREIGN} standby site`]);

    whoami.said.set('127.0.0.2', FIBER);
    await rt.run();
    expect(records()).toEqual([`${FIBER} managed by ddnsd`, `${LTE} managed by ddnsd`, `${FOREIGN} standby site`]);
    expect(rt.status().wans?.map((w) => [w.name, w.hosts])).toEqual([
      ['fiber', ['portal.example.com']],
      ['lte', ['portal.example.com']],
    ]);
  });
});
