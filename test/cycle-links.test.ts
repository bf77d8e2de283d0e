/**
 * Failover and failback of a name between links, measured in checks: the
 * pure choice over link history, then whole cycles against DuckDNS with two
 * links told apart by their bind addresses (127.0.0.2 and 127.0.0.3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseLink, observeLinks } from '../src/cycle/links.js';
import { toNotification } from '../src/notify/message.js';
import { createMetrics } from '../src/server/metrics.js';
import { createRenderer } from '../src/server/render.js';
import { judgeHealth } from '../src/status.js';
import type { CycleEvent } from '../src/cycle/index.js';
import type { LinkCheck } from '../src/detect/wans.js';
import type { WansState } from '../src/state.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startWhoAmI, type WhoAmI } from './fakes/whoami.js';
import { fakeClock, type FakeClock } from './helpers/clock.js';
import { testRuntime, type TestRuntime } from './helpers/runtime.js';

const FIBER = '81.2.69.160';
const LTE = '81.2.69.192';
const ORDER = ['fiber', 'lte'];

/** Runs the choice over a sequence of checks (1 = fiber up, 0 = down; lte always up) and says which link each check follows. */
function simulate(fiber: string, failback: number, lte = '1'.repeat(fiber.length)): string[] {
  let links: WansState['links'] = {};
  let current: string | undefined;
  const out: string[] = [];
  [...fiber].forEach((f, i) => {
    const check = (wan: string, up: boolean): LinkCheck => ({ wan, healthy: up, addresses: {}, detections: [] });
    links = observeLinks(links, [check('fiber', f === '1'), check('lte', lte[i] === '1')], i).links;
    const choice = chooseLink(ORDER, links, current, failback);
    current = choice.wan;
    out.push(`${choice.healthy ? current : '-'}${choice.move ? `(${choice.move})` : ''}`);
  });
  return out;
}

describe('chooseLink, over link history', () => {
  it('fails over at the first check the preferred link is down, and fails back after `failback` healthy checks in a row', () => {
    expect(simulate('1101111', 3)).toEqual(['fiber', 'fiber', 'lte(failover)', 'lte', 'lte', 'fiber(failback)', 'fiber']);
    expect(simulate('101111', 1)).toEqual(['fiber', 'lte(failover)', 'fiber(failback)', 'fiber', 'fiber', 'fiber']);
  });

  it('a link that flaps every check never wins the name back', () => {
    expect(simulate('1010101010', 3)).toEqual(['fiber', 'lte(failover)', ...Array(8).fill('lte')]);
  });

  it('with every link down the name stays where it is and nothing is followed; the first healthy link takes it', () => {
    expect(simulate('1000011', 2, '1100111')).toEqual(['fiber', 'lte(failover)', '-', '-', 'lte', 'lte', 'fiber(failback)']);
  });

  it('the first check follows the first healthy link without a move', () => {
    expect(simulate('011', 3)).toEqual(['lte', 'lte', 'lte']);
  });

  it('tells a link going down and coming back once per incident', () => {
    const check = (up: boolean): LinkCheck => ({ wan: 'fiber', healthy: up, addresses: up ? { ipv4: FIBER } : {}, detections: [], ...(up ? {} : { error: 'no answer' }) });
    let links: WansState['links'] = {};
    const seen: string[] = [];
    [true, false, false, false, true, true].forEach((up, at) => {
      const next = observeLinks(links, [check(up)], at);
      links = next.links;
      seen.push(...next.events.map((e) => `${e.type}@${at}`));
    });
    expect(seen).toEqual(['wan-down@1', 'wan-up@4']);
    expect(links.fiber).toMatchObject({ up: true, streak: 2, since: 4 });
  });
});

describe('a name that follows two links, cycle by cycle', () => {
  let whoami: WhoAmI;
  let duck: FakeDuckDns;
  let clock: FakeClock;
  let rt: TestRuntime | undefined;
  beforeEach(async () => {
    whoami = await startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE });
    duck = await startDuckDns({ token: 'links-token-5e1f0b7d', domains: ['portal'] });
    clock = fakeClock();
  });
  afterEach(async () => {
    await rt?.close();
    await Promise.all([whoami.close(), duck.close()]);
  });

  const yaml = (failback: number): string => `detect:\n  timeout: 2s\nwans:
  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2
  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3
providers:
  - { type: duckdns, token: links-token-5e1f0b7d, endpoint: "${duck.url}", hosts: [portal], wan: [fiber, lte], failback: ${failback} }
`;

  it('moves the record to LTE at the check the fibre fails, and back after three healthy checks', async () => {
    rt = await testRuntime(yaml(3), clock);
    const told: CycleEvent[] = [];
    rt.events.onAny((e) => {
      if (['wan-down', 'wan-up', 'failover', 'failback'].includes(e.type)) told.push(e);
    });
    const sent = (): string[] => duck.requests.map((r) => r.url.searchParams.get('ip') ?? '');
    const fiberDown = (down: boolean): void => {
      if (down) whoami.said.delete('127.0.0.2');
      else whoami.said.set('127.0.0.2', FIBER);
    };
    for (const down of [false, true, false, false, false]) {
      fiberDown(down);
      await rt.run();
      clock.advance(300_000);
    }
    // Check 1 fibre, check 2 LTE (failover), checks 3 and 4 still LTE, check 5 fibre (failback).
    expect(sent()).toEqual([FIBER, LTE, FIBER]);
    expect(told.map((e) => e.type)).toEqual(['wan-down', 'failover', 'wan-up', 'failback']);
    expect(told[1]).toMatchObject({ from: 'fiber', to: 'lte', hosts: [{ provider: 'duckdns', host: 'portal.duckdns.org' }] });
    // Only the links' own echo was asked, each from its own address; no global detection ran.
    expect([...whoami.from.keys()].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(rt.state.wans?.follow).toEqual({ 'duckdns portal.duckdns.org': 'fiber' });
  });

  it('a restart keeps the failover and the streaks: the name does not fail back early', async () => {
    rt = await testRuntime(yaml(3), clock);
    const dir = rt.dir;
    whoami.said.delete('127.0.0.2');
    await rt.run(); // fibre down at the first check: LTE
    whoami.said.set('127.0.0.2', FIBER);
    await rt.run(); // fibre healthy 1
    await rt.close();
    rt = await testRuntime(yaml(3), clock, { dir });
    await rt.run(); // fibre healthy 2: still LTE
    expect(duck.records.get('portal')?.ipv4).toBe(LTE);
    await rt.run(); // fibre healthy 3: back
    expect(duck.records.get('portal')?.ipv4).toBe(FIBER);
  });

  it('with both links down, sends nothing and says why', async () => {
    rt = await testRuntime(yaml(3), clock);
    await rt.run();
    whoami.said.clear();
    const report = await rt.run();
    expect(duck.requests).toHaveLength(1);
    expect(report.hosts[0]).toMatchObject({ action: 'skipped' });
    expect(report.hosts[0]?.message).toMatch(/no link of fiber, lte is healthy, so the records stay as they are \(fiber: .*127\.0\.0\.2.*; lte: .*127\.0\.0\.3/);
    // detect: is not asked when every entry follows links: health is judged on the links.
    const health = judgeHealth(rt.status());
    expect(health.ok).toBe(false);
    expect(health.reasons).toEqual([expect.stringMatching(/^every link is down: fiber: .*; lte: /)]);
    whoami.said.set('127.0.0.3', LTE);
    await rt.run();
    expect(judgeHealth(rt.status())).toEqual({ ok: true, reasons: [] });
  });

  it('shows each link, its state, address and since-when, and which link each host follows: status, page, metrics, notifications', async () => {
    rt = await testRuntime(yaml(3), clock);
    const runtime = rt;
    const metrics = createMetrics(() => runtime.status(), rt.events);
    const told: string[] = [];
    rt.events.onAny((e) => {
      const n = toNotification(e);
      if (n && ['wan-down', 'wan-up', 'failover', 'failback'].includes(n.event)) told.push(`${n.event}: ${n.title}. ${n.message}`);
    });
    await rt.run();
    const upAt = new Date(clock.now()).toISOString();
    clock.advance(300_000);
    whoami.said.delete('127.0.0.2');
    await rt.run();
    const status = rt.status();
    expect(status.wans).toEqual([
      { name: 'fiber', up: false, since: new Date(clock.now()).toISOString(), checks: 1, ipv4: null, ipv6: null, error: expect.stringMatching(/127\.0\.0\.2/), hosts: [] },
      { name: 'lte', up: true, since: upAt, checks: 2, ipv4: LTE, ipv6: null, error: null, hosts: ['portal.duckdns.org'] },
    ]);
    expect(status.hosts[0]).toMatchObject({ host: 'portal.duckdns.org', wan: 'lte', address: LTE, status: 'ok' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('ddnsd_wan_up{wan="fiber"} 0');
    expect(text).toContain('ddnsd_wan_up{wan="lte"} 1');
    expect(text).toContain('ddnsd_wan_following{wan="lte",provider="duckdns",host="portal.duckdns.org"} 1');
    const page = createRenderer().main(status, clock.now());
    expect(page).toContain('Internet links');
    expect(page).toMatch(/data-wan="lte" data-up="true">[\s\S]*?<code>81\.2\.69\.192<\/code>[\s\S]*?portal\.duckdns\.org/);
    expect(page).toContain('via link lte');
    expect(told).toEqual([
      expect.stringMatching(/^wan-down: Link fiber is down\. .*127\.0\.0\.2.*Hosts that follow fiber move to the next healthy link\.$/),
      'failover: portal.duckdns.org moved to lte. fiber is not healthy: portal.duckdns.org now points at lte.',
    ]);
    // Nothing new to say while it stays down.
    await rt.run();
    expect(told).toHaveLength(2);
  });
});
