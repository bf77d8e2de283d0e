/**
 * A push per link: several router credentials under server.nic_update.users,
 * each naming a link, and the FRITZ!Box's ip6lanprefix as the prefix of
 * hosts with their own IPv6 suffix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPushStore } from '../src/detect/push.js';
import { buildServer } from '../src/server/index.js';
import type { Status } from '../src/status.js';
import { startDyndns2, type FakeDyndns2 } from './fakes/dyndns2.js';
import { fakeClock } from './helpers/clock.js';
import { testRuntime, type TestRuntime } from './helpers/runtime.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from './helpers/providers.js';
import { loadConfig } from './helpers/config.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon } from '../src/main.js';
import { tempDir } from './helpers/cli.js';

const FIBER = '81.2.69.160';
const LTE = '81.2.69.192';
const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const status = { hosts: [], notify: [] } as unknown as Status;

function app() {
  const push = createPushStore(() => 1_000, 600_000);
  const changed: string[] = [];
  const refused: string[] = [];
  const server = buildServer({
    status: () => status,
    nicUpdate: {
      users: [
        { username: 'fiber-router', password: 'fiber-secret-1', wan: 'fiber' },
        { username: 'lte-router', password: 'lte-secret-1', wan: 'lte' },
      ],
      hosts: new Set(['portal.example.net']),
      push,
      changed: (changes) => {
        for (const { family, address } of changes) changed.push(`${family} ${address}`);
      },
      refused: (reason) => refused.push(reason),
    },
  });
  const get = (url: string, user: string, pass: string) => server.inject({ method: 'GET', url, headers: { authorization: basic(user, pass) } });
  return { server, push, changed, refused, get };
}

describe('/nic/update with a credential per link', () => {
  it("stores what each router pushes as its own link's address", async () => {
    const { push, get } = app();
    expect((await get(`/nic/update?hostname=portal.example.net&myip=${FIBER}`, 'fiber-router', 'fiber-secret-1')).body).toBe(`good ${FIBER}`);
    expect((await get(`/nic/update?hostname=portal.example.net&myip=${LTE}`, 'lte-router', 'lte-secret-1')).body).toBe(`good ${LTE}`);
    expect(push.fresh('ipv4', 'fiber')).toBe(FIBER);
    expect(push.fresh('ipv4', 'lte')).toBe(LTE);
    expect(() => push.fresh('ipv4')).toThrow(/no router has pushed/);
  });

  it("refuses one router's user name with another's password", async () => {
    const { push, get } = app();
    const res = await get(`/nic/update?hostname=portal.example.net&myip=${LTE}`, 'fiber-router', 'lte-secret-1');
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('badauth');
    expect(push.last('ipv4', 'fiber')).toBeUndefined();
  });

  it('takes the FRITZ!Box LAN prefix sent in a request of its own, and refuses one that is not a prefix', async () => {
    const { push, get, changed, refused } = app();
    // A FRITZ!Box with two update URLs sends ?ip6lanprefix=<ip6lanprefix> alone (https://do.de/wiki/flexdns-ipv6).
    const res = await get('/nic/update?hostname=portal.example.net&ip6lanprefix=2a02:8010:1:100::/56', 'fiber-router', 'fiber-secret-1');
    expect(res.body).toBe('good 2a02:8010:1:100::/56');
    expect(push.lanPrefix('fiber')).toMatchObject({ address: '2a02:8010:1:100::', length: 56 });
    expect(push.last('ipv4', 'fiber')).toBeUndefined(); // the request's own address was not taken as a push
    expect(changed).toEqual(['ipv6 2a02:8010:1:100::/56']);
    expect((await get('/nic/update?hostname=portal.example.net&ip6lanprefix=fd00::/64', 'fiber-router', 'fiber-secret-1')).body).toBe('dnserr');
    expect((await get('/nic/update?hostname=portal.example.net&ip6lanprefix=garbage', 'fiber-router', 'fiber-secret-1')).body).toBe('dnserr');
    expect(refused[1]).toMatch(/ip6lanprefix was refused: "garbage" is not an IPv6 prefix/);
    expect(push.lanPrefix('fiber')?.address).toBe('2a02:8010:1:100::');
  });
});

describe('pushed link addresses in a cycle', () => {
  let rt: TestRuntime | undefined;
  let dyn: FakeDyndns2 | undefined;
  afterEach(async () => {
    await rt?.close();
    await dyn?.close();
  });

  it('sends the pushed WAN address for plain hosts and the pushed LAN prefix + suffix for a host behind the router', async () => {
    dyn = await startDyndns2({ username: 'u', password: 'dyn-pass-0c1f', hosts: ['nas.example.net', 'portal.example.net'] });
    const clock = fakeClock();
    rt = await testRuntime(
      `wans:
  fritz:
    ipv4: ["push:fritz"]
    ipv6: ["push:fritz"]
server:
  nic_update:
    users: [{ username: fritz, password: fritz-secret-1, wan: fritz }]
providers:
  - type: dyndns2
    endpoint: ${dyn.url}
    username: u
    password: dyn-pass-0c1f
    wan: fritz
    hosts:
      - { name: nas.example.net, ipv6_suffix: "::1234" }
      - portal.example.net
`,
      clock,
    );
    const push = rt.push;
    if (!push) throw new Error('no push store');
    push.set('ipv4', FIBER, 'fritz');
    push.set('ipv6', '2a02:8010:1:0:8d3a:1b2c:3d4e:5f60', 'fritz');
    // The LAN's prefix differs from the WAN address's.
    push.setLanPrefix({ address: '2a02:8010:9:100::', length: 56 }, 'fritz');
    const report = await rt.run();
    expect(report.ok).toBe(true);
    expect(Object.fromEntries(dyn.records)).toEqual({
      'nas.example.net': { ipv4: FIBER, ipv6: '2a02:8010:9:100::1234' },
      'portal.example.net': { ipv4: FIBER, ipv6: '2a02:8010:1:0:8d3a:1b2c:3d4e:5f60' },
    });
    expect(rt.status().hosts.every((h) => h.status === 'ok' && h.wan === 'fritz')).toBe(true);
  });
});

describe('starting with links that are pushed', () => {
  it('says how each link is checked, and does not call nic_update unused when only a link names push', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yaml'),
      'state: ./state.json\nserver:\n  listen: 127.0.0.1:0\n  nic_update:\n    users: [{ username: lte-router, password: lte-secret-1, wan: lte }]\nwans:\n  lte:\n    ipv4: ["push:lte"]\n    bind: 127.0.0.3\n',
    );
    const logs: string[] = [];
    const redactor = createRedactor();
    const daemon = await startDaemon(loadConfig({ providers: PROVIDERS, env: {}, cwd: dir }), {
      log: createLogger({ format: 'json', level: 'info', redactor, write: (l) => logs.push(l) }),
      redactor,
      lan: () => [],
    });
    await daemon.stop();
    expect(logs.join('\n')).toContain('Link lte: checking push:lte from 127.0.0.3');
    expect(logs.join('\n')).not.toContain('no detect list names the push source');
    expect(logs.join('\n')).not.toContain('lte-secret-1');
  });
});
