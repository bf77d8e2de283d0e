import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudns, type FakeCloudns } from '../fakes/cloudns.js';
import { ADDRESS, providerCases, startEchoes, tokenRecordCase, tokenRecordEntry, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';

const HOST = 'office.cloudns.ph';
const TOKEN4 = 'b2ZmaWNlLWNsb3VkbnMtQS0xMjM0';
const TOKEN6 = 'b2ZmaWNlLWNsb3VkbnMtQUFBQS01Njc4';

const TOKENS = { ipv4: TOKEN4, ipv6: TOKEN6 };

const entry = (fake: FakeCloudns, over: Record<string, unknown> = {}) => tokenRecordEntry('cloudns', fake.url, TOKENS, HOST, over);

providerCases({
  type: 'cloudns',
  // ClouDNS answers OK whether or not the address changed.
  saysUnchanged: false,
  async start() {
    const fake = await startCloudns({ [TOKEN4]: HOST, [TOKEN6]: HOST });
    return {
      ...tokenRecordCase(fake, TOKENS),
      // A record ClouDNS does not know is a token it does not know: `Invalid request.`
      entry: (o = {}) => (o.credentials === 'wrong' || o.hosts ? entry(fake, { token: 'd3Jvbmc', ipv6_token: 'd3Jvbmc2', ...(o.hosts ? { hosts: o.hosts } : {}) }) : entry(fake)),
      unknownHost: 'gone.cloudns.ph',
    };
  },
});

describe('cloudns quirks', () => {
  let echoes: Echoes;
  let fake: FakeCloudns;
  beforeAll(async () => {
    echoes = await startEchoes();
    fake = await startCloudns({ [TOKEN4]: HOST, [TOKEN6]: HOST });
  });
  afterAll(async () => Promise.all([echoes.close(), fake.close()]));

  it("names the address with ip= on each record's own URL, and never shows a token", async () => {
    const t = await startRuntime(echoes.config(entry(fake)));
    fake.misbehaveNext(1, { kind: 'answer', status: 200, body: 'Unexpected maintenance' });
    const report = await t.cycle();
    expect(fake.updates().map((r) => `${r.url.searchParams.get('q')} ${r.url.searchParams.get('ip')}`)).toEqual([`${TOKEN4} ${ADDRESS.ipv4}`, `${TOKEN6} ${ADDRESS.ipv6}`]);
    const everything = JSON.stringify(report) + JSON.stringify(t.runtime.status()) + t.logs.join('');
    expect(everything).toContain('ClouDNS http://127.0.0.1');
    expect(everything).not.toContain(TOKEN4);
    await t.runtime.close();
  });

  it('"The record\'s key is wrong!" is a refused credential: it needs attention and is not sent again', async () => {
    fake.wrongKeys.add(TOKEN4);
    const t = await startRuntime(echoes.config(entry(fake), ['ipv4']));
    const report = await t.cycle();
    fake.wrongKeys.clear();
    expect(report.hosts.map((h) => h.action)).toEqual(['needs-attention']);
    expect(report.hosts[0]?.message).toContain('ClouDNS does not know this token');
    await t.runtime.close();
  });
});
