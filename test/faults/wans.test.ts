/**
 * Faults with two links (fibre and LTE, told apart by their bind addresses
 * 127.0.0.2 and 127.0.0.3 against one echo that answers by client address):
 * both links down, a link that flaps every check, a provider that fails
 * while the name moves, and a link whose probe stops answering while its
 * address is still detected.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CycleEvent } from '../../src/cycle/index.js';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startWhoAmI, type WhoAmI } from '../fakes/whoami.js';
import { fakeClock, type FakeClock } from '../helpers/clock.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';
import { record } from './report.js';

const FIBER = '81.2.69.160';
const LTE = '81.2.69.192';
const TOKEN = 'faults-wans-token-7c2e';

describe('faults with two links', () => {
  let whoami: WhoAmI;
  let duck: FakeDuckDns;
  let clock: FakeClock;
  let rt: TestRuntime;
  const told: string[] = [];
  beforeEach(async () => {
    whoami = await startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE });
    duck = await startDuckDns({ token: TOKEN, domains: ['portal'] });
    clock = fakeClock();
    rt = await testRuntime(
      `detect:\n  timeout: 2s\nwans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n` +
        `providers:\n  - { type: duckdns, token: ${TOKEN}, endpoint: "${duck.url}", hosts: [portal], wan: [fiber, lte], failback: 3 }\n`,
      clock,
    );
    told.length = 0;
    rt.events.onAny((e: CycleEvent) => {
      if (['wan-down', 'wan-up', 'failover', 'failback'].includes(e.type)) told.push(e.type);
    });
  });
  afterEach(async () => {
    await rt.close();
    await Promise.all([whoami.close(), duck.close()]);
  });

  const link = (ip: string, address: string, up: boolean): void => {
    if (up) whoami.said.set(ip, address);
    else whoami.said.delete(ip);
  };
  const sent = (): string[] => duck.updates().map((r) => r.url.searchParams.get('ip') ?? '');
  const check = async (fiber: boolean, lte: boolean, advanceMs = 300_000) => {
    link('127.0.0.2', FIBER, fiber);
    link('127.0.0.3', LTE, lte);
    const report = await rt.run();
    clock.advance(advanceMs);
    return report;
  };

  it('both links down: the record stays, nothing is sent, the hosts and status say why, each link is told down once', async () => {
    await check(true, true);
    const reports = [await check(false, false), await check(false, false), await check(false, false)];
    expect(sent()).toEqual([FIBER]);
    expect(duck.records.get('portal')?.ipv4).toBe(FIBER);
    for (const r of reports) expect(r.hosts[0]?.message).toMatch(/no link of fiber, lte is healthy, so the records stay as they are/);
    expect(told).toEqual(['wan-down', 'wan-down']);
    expect(rt.status().wans?.map((w) => [w.name, w.up, w.checks])).toEqual([
      ['fiber', false, 3],
      ['lte', false, 3],
    ]);
    record({
      area: 'Links',
      fault: 'both links down for three checks',
      expected: 'the record keeps its last address; nothing is sent; each link is told down once',
      observed: `${sent().length - 1} updates sent while down; ${told.length} notifications (${told.join(', ')}); host says "${reports[0]?.hosts[0]?.message?.slice(0, 60)}…"`,
      requests: `${duck.updates().length} provider requests in 4 checks`,
      outputs: [...rt.logs, JSON.stringify(rt.status())],
      secrets: [TOKEN],
    });
  });

  it('a fibre that flaps every check moves the name to LTE once and never back', async () => {
    const pattern = [true, false, true, false, true, false, true, false, true, false];
    for (const up of pattern) await check(up, true);
    expect(sent()).toEqual([FIBER, LTE]);
    expect(told.filter((t) => t === 'failover')).toHaveLength(1);
    expect(told.filter((t) => t === 'failback')).toHaveLength(0);
    // Once it stays up for failback (3) checks, the name goes back.
    for (let i = 0; i < 3; i += 1) await check(true, true);
    expect(sent()).toEqual([FIBER, LTE, FIBER]);
    record({
      area: 'Links',
      fault: 'the preferred link flaps every check for 10 checks, then holds',
      expected: 'one failover, no failback while it flaps; failback after 3 healthy checks in a row',
      observed: `records sent: ${sent().join(' → ')}; events: ${told.filter((t) => t === 'failover' || t === 'failback').join(', ')}`,
      requests: `${duck.updates().length} provider requests in 13 checks`,
      outputs: [...rt.logs, JSON.stringify(rt.status())],
      secrets: [TOKEN],
    });
  });

  it('a provider that fails while the name moves: the move holds, and the record follows once the provider answers again', async () => {
    await check(true, true);
    duck.failNext(3, 503); // every attempt of that cycle (the first try and 2 retries)
    const failed = await check(false, true, 60 * 60_000);
    expect(failed.hosts[0]).toMatchObject({ action: 'failed' });
    expect(rt.state.wans?.follow).toEqual({ 'duckdns portal.duckdns.org': 'lte' });
    expect(duck.records.get('portal')?.ipv4).toBe(FIBER);
    const before = duck.requests.length;
    // Fibre is back (streak 1 < failback): the name stays on LTE, and the retry sends LTE's address.
    const retried = await check(true, true, 60 * 60_000);
    expect(duck.records.get('portal')?.ipv4).toBe(LTE);
    expect(retried.hosts[0]).toMatchObject({ action: 'updated', address: LTE });
    expect(told.filter((t) => t === 'failover')).toHaveLength(1);
    record({
      area: 'Links',
      fault: 'the provider answers 503 at the check the name fails over',
      expected: 'the host fails and waits; the move is kept; the next try sends the new link’s address',
      observed: `failed with ${failed.hosts[0]?.action}; followed ${rt.state.wans?.follow['duckdns portal.duckdns.org']}; record ${duck.records.get('portal')?.ipv4} after the retry`,
      requests: `${duck.requests.length - before} requests on the retry`,
      outputs: [...rt.logs, JSON.stringify(rt.status())],
      secrets: [TOKEN],
    });
  });
});

describe('a link whose probe stops answering', () => {
  it('the address is still detected, but the name moves to LTE and the status names the probe; it moves back once the probe answers for failback checks', async () => {
    const whoami = await startWhoAmI({ '127.0.0.2': FIBER, '127.0.0.3': LTE });
    const duck = await startDuckDns({ token: TOKEN, domains: ['portal'] });
    const clock = fakeClock();
    // The office's gateway beyond the fibre: it accepts connections until it is switched off.
    let gateway: Server | undefined;
    const listen = (port: number): Promise<void> =>
      new Promise((resolve) => {
        gateway = createServer((socket) => socket.end()).listen(port, '127.0.0.1', () => resolve());
      });
    const switchOff = (): Promise<void> => new Promise((resolve) => gateway?.close(() => resolve()));
    await listen(0);
    const port = (gateway?.address() as AddressInfo).port;
    const rt = await testRuntime(
      `detect:\n  timeout: 2s\nwans:\n  fiber:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.2\n    probe: tcp://127.0.0.1:${port}\n  lte:\n    ipv4: ["${whoami.url}"]\n    bind: 127.0.0.3\n` +
        `providers:\n  - { type: duckdns, token: ${TOKEN}, endpoint: "${duck.url}", hosts: [portal], wan: [fiber, lte], failback: 2 }\n`,
      clock,
    );
    const run = async () => {
      const report = await rt.run();
      clock.advance(300_000);
      return report;
    };
    try {
      await run();
      await switchOff();
      await run();
      const fiber = rt.status().wans?.find((w) => w.name === 'fiber');
      expect(duck.records.get('portal')?.ipv4).toBe(LTE);
      expect(fiber).toMatchObject({ up: false });
      expect(JSON.stringify(fiber)).toMatch(new RegExp(`probe tcp://127\\.0\\.0\\.1:${port} failed: ECONNREFUSED`));
      expect(rt.state.wans?.links.fiber?.addresses.ipv4).toBe(FIBER);
      await listen(port);
      await run();
      expect(duck.records.get('portal')?.ipv4).toBe(LTE);
      await run();
      expect(duck.records.get('portal')?.ipv4).toBe(FIBER);
      const sent = duck.updates().map((r) => r.url.searchParams.get('ip') ?? '');
      expect(sent).toEqual([FIBER, LTE, FIBER]);
      record({
        area: 'Links',
        fault: "the preferred link's probe refuses for one check while its address is still detected",
        expected: 'the name moves to the other link at that check and the link says which probe failed; back after failback (2) answering checks',
        observed: `records sent: ${sent.join(' → ')}; fibre said "${fiber?.error ?? ''}"`,
        requests: `${duck.updates().length} provider requests in 4 checks`,
        outputs: [...rt.logs, JSON.stringify(rt.status())],
        secrets: [TOKEN],
      });
    } finally {
      await rt.close();
      await Promise.all([whoami.close(), duck.close(), switchOff()]);
    }
  });
});
