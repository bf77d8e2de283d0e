/**
 * The /nic/update endpoint under a misbehaving router, with the real CLI
 * (`ddnsd run`) and a fake dyndns2 provider counting the updates it gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../src/status.js';
import { startDyndns2, type FakeDyndns2 } from '../fakes/dyndns2.js';
import { until } from '../helpers/wait.js';
import { observeDaemon } from './daemon.js';
import { record } from './report.js';

const PUSH_PASS = 'faults-router-pass-3a9e71';
const DYN_PASS = 'faults-dyn-pass-b04c2d';
const SECRETS = [PUSH_PASS, DYN_PASS];
const basic = `Basic ${Buffer.from(`router:${PUSH_PASS}`).toString('base64')}`;

describe('a router pushing to /nic/update', () => {
  let dyn: FakeDyndns2;
  beforeAll(async () => {
    dyn = await startDyndns2({ username: 'dyn-user', password: DYN_PASS, hosts: ['nas.example.net'] });
  });
  afterAll(async () => {
    await dyn.close();
  });

  const config = () =>
    `interval: 1h\ndetect:\n  ipv4: [push]\n  ipv6: [push]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\n  nic_update:\n    username: router\n    password: \${PUSH_PASS}\n` +
    `providers:\n  - type: dyndns2\n    endpoint: ${dyn.url}\n    username: dyn-user\n    password: \${DYN_PASS}\n    hosts: [nas.example.net]\n`;

  it('refuses a zone id, reads a repeated hostname, and makes 20 pushes one provider update at once', async () => {
    const answers: string[] = [];
    const before = dyn.updates().length;
    const push = async (url: string, query: string): Promise<{ status: number; body: string }> => {
      const res = await fetch(`${url}/nic/update?${query}`, { headers: { authorization: basic } });
      const body = await res.text();
      answers.push(`${res.status} ${body}`);
      return { status: res.status, body };
    };
    let zone = { status: 0, body: '' };
    let twice = { status: 0, body: '' };
    const pushes: string[] = [];
    let afterBurst = 0;
    const observed = await observeDaemon(config(), {
      env: { PUSH_PASS, DYN_PASS },
      // Nothing pushed yet: settled once the first cycle has looked.
      settled: (s: Status) => s.lastCheck !== null,
      during: async (url, cli) => {
        zone = await push(url, 'hostname=nas.example.net&myip=2a02:8010:1::1%25eth0');
        twice = await push(url, 'hostname=other.example.net&hostname=nas.example.net&myip=81.2.69.160');
        await until(() => dyn.updates().length - before === 1, 60_000, 'the update the first push starts');
        for (let i = 1; i <= 20; i++) pushes.push((await push(url, `hostname=nas.example.net&myip=81.2.69.${170 + i}`)).body);
        // The burst's cycle is due a minute after the first: wait until ddnsd says so, then count.
        await until(() => (cli.stderr().match(/pushed changes start at most one cycle a minute/g) ?? []).length === 20, 60_000, 'the burst to be queued');
        afterBurst = dyn.updates().length - before;
      },
    });
    const log = observed.outputs.join('\n');
    expect([zone.status, zone.body]).toEqual([200, 'dnserr']);
    expect(log).toContain('zone id (%eth0)');
    expect([twice.status, twice.body]).toEqual([200, 'good 81.2.69.160']);
    expect(pushes.every((p, i) => p === `good 81.2.69.${171 + i}`)).toBe(true);
    expect(afterBurst).toBe(1);
    expect(dyn.updates().every((u) => !u.url.search.includes('%'))).toBe(true);
    const outputs = [...observed.outputs, ...answers];
    record({
      area: 'Status server',
      fault: 'a router pushes an IPv6 address with a zone id (2a02:8010:1::1%eth0)',
      expected: 'dnserr; the address never reaches the provider; the log names the zone id',
      observed: `${zone.status} ${zone.body}; provider requests with a zone id: 0`,
      requests: `router 1, provider 0`,
      outputs,
      secrets: SECRETS,
    });
    record({
      area: 'Status server',
      fault: 'a router repeats hostname= in one push',
      expected: 'answered as deSEC does: the last value counts; never a 500',
      observed: `${twice.status} ${twice.body}`,
      requests: 'router 1, provider 1 (the update the push started)',
      outputs,
      secrets: SECRETS,
    });
    record({
      area: 'Status server',
      fault: '20 changed pushes in a row, within the minute after a pushed update',
      expected: 'each answered good; no provider update at once; one cycle at the minute sends the last address',
      observed: `${pushes.filter((p) => p.startsWith('good')).length} good; provider updates within the burst: ${afterBurst - 1}`,
      requests: `router 20, provider ${afterBurst - 1} (was 20 before pushes were limited to one cycle a minute)`,
      outputs,
      secrets: SECRETS,
    });
  }, 180_000);
});
