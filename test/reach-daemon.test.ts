/**
 * Reachability and notifications in a running daemon and in `ddnsd doctor`:
 * every part a user would have is a local server (IP echo, DuckDNS, a DNS
 * zone, an echoip probe, a webhook receiver), all on loopback.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { loadConfig } from './helpers/config.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import type { PortMapper } from '../src/reach/index.js';
import type { Status } from '../src/status.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { startProbe, type FakeProbe } from './fakes/echoip.js';
import { send, startFake, type FakeServer } from './fakes/server.js';
import { startIgd, type IgdFake } from './fakes/upnp.js';
import { startZone, type FakeZone } from './fakes/zone.js';
import { runCli, tempDir } from './helpers/cli.js';
import { until } from './helpers/wait.js';

const ADDRESS = '81.2.69.160';
const DUCK_TOKEN = 'duck-secret-5b2e8c0d-token';
const HOOK_PATH = '/hooks/T9SECRETHOOKPATH';

describe('reachability in the daemon and in ddnsd doctor', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  let zone: FakeZone;
  let probe: FakeProbe;
  let hook: FakeServer;
  let igd: IgdFake;
  let dir: string;
  let daemon: Daemon | undefined;

  const config = (extra = ''): string => `interval: 1h
state: ./state.json
detect:
  ipv4: [${echo.url}/]
  agree: 1
  timeout: 2s
server:
  listen: 127.0.0.1:0
providers:
  - type: duckdns
    token: \${DUCKDNS_TOKEN}
    endpoint: ${duck.url}
    hosts: [myoffice]
checks:
  dns:
    resolvers: ["127.0.0.1:${zone.port}"]
    authoritative: ["127.0.0.1:${zone.port}"]
  port:
    probe: ${probe.url}/port/{port}
    hairpin: false
    required: true
    ports:
      - { host: myoffice.duckdns.org, port: 1234 }
  forward:
    location: ${igd.location}
${extra}`;

  beforeEach(async () => {
    echo = await startEcho(ADDRESS);
    duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['myoffice'] });
    zone = await startZone('duckdns.org');
    probe = await startProbe(ADDRESS, []);
    hook = await startFake((_req, res) => send(res, 200, 'ok'));
    igd = await startIgd(ADDRESS);
    zone.published.set('myoffice.duckdns.org', [ADDRESS]);
    dir = tempDir();
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([echo.close(), duck.close(), zone.close(), probe.close(), hook.close(), igd.close()]);
  });

  it('shows the checks in /api/status, /healthz, /metrics and the page, and notifies once per incident', async () => {
    writeFileSync(join(dir, 'config.yaml'), config(`notify:\n  - type: webhook\n    url: ${hook.url}${HOOK_PATH}\n`));
    const cfg = loadConfig({ providers: PROVIDERS, path: join(dir, 'config.yaml'), env: { DUCKDNS_TOKEN: DUCK_TOKEN }, cwd: dir });
    const logs: string[] = [];
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'debug', redactor, write: (l) => logs.push(l) });
    const mapper: PortMapper = { portMapping: async () => ({ internalClient: '192.168.1.20', internalPort: 1234 }) };
    const lan = [{ interface: 'eth0', family: 'ipv4' as const, address: '192.168.1.37' }];
    daemon = await startDaemon(cfg, { log, redactor, lan: () => lan, portMapper: mapper });
    const d = daemon;
    await until(() => d.runtime.reach?.last() !== undefined, 5000, 'the first checks');
    const status = (await (await fetch(`${d.url}/api/status`)).json()) as Status;
    expect(status.reach?.results.map((r) => `${r.check} ${r.subject} ${r.verdict}`)).toEqual([
      'dns myoffice.duckdns.org A pass',
      'port myoffice.duckdns.org:1234/tcp fail',
      'forward myoffice.duckdns.org:1234/tcp fail',
    ]);
    expect(status.reach?.results[2]?.summary).toBe('the router forwards 1234 to 192.168.1.20, but this machine is now 192.168.1.37');
    const health = await fetch(`${d.url}/healthz`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain('reachability port myoffice.duckdns.org:1234/tcp');
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toContain('ddnsd_reachability{check="port",subject="myoffice.duckdns.org:1234/tcp",required="true"} 0');
    expect(metrics).toContain('ddnsd_reachability{check="dns",subject="myoffice.duckdns.org A",required="false"} 1');
    const page = await (await fetch(`${d.url}/`)).text();
    expect(page).toContain('Reachability');
    expect(page).toContain('this machine is now 192.168.1.37');

    // Started, the first address, then port and forward lost: one message each; a second run tells nothing new.
    await d.runtime.reach?.run();
    await d.runtime.notifier?.flush();
    const told = (): string[] => hook.requests.map((r) => (JSON.parse(r.body) as { event: string }).event);
    expect(told().sort()).toEqual(['address-changed', 'reachability-lost', 'reachability-lost', 'started']);
    probe.open.add(1234);
    await d.runtime.reach?.run();
    await d.runtime.notifier?.flush();
    expect(told().filter((e) => e === 'reachability-restored')).toHaveLength(1);
    await d.stop();
    expect(told().at(-1)).toBe('stopped');
    expect(hook.requests.every((r) => r.url.pathname === HOOK_PATH)).toBe(true);
    expect(logs.join('\n') + JSON.stringify(status)).not.toContain('T9SECRETHOOKPATH');
  });

  it('ddnsd doctor prints each link with ✓ or ✗ and the fix, exit 1 while the port is closed and 0 once it opens', async () => {
    writeFileSync(join(dir, 'config.yaml'), config());
    igd.mappings.set('TCP 1234', { client: '198.51.100.20', port: 1234, description: 'portal' });
    const env = { DUCKDNS_TOKEN: DUCK_TOKEN };
    const closed = await runCli(['doctor'], { cwd: dir, env });
    expect(closed.code).toBe(1);
    expect(closed.stdout).toContain(`✓ Address detected (IPv4): ${ADDRESS}`);
    expect(closed.stdout).toContain(`✓ DNS published (myoffice.duckdns.org A): myoffice.duckdns.org resolves to ${ADDRESS}`);
    expect(closed.stdout).toContain('✗ Port reachable from outside (myoffice.duckdns.org:1234/tcp)');
    expect(closed.stdout).toContain('→ In the router, forward TCP port 1234 to this machine');
    // The router (asked over UPnP at checks.forward.location) forwards the port to another machine.
    expect(closed.stdout).toContain('✗ Router forward (myoffice.duckdns.org:1234/tcp): the router forwards 1234 to 198.51.100.20, but this machine is now');
    expect(igd.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    // Doctor only looks: no update was sent, no notification target exists.
    expect(duck.requests).toHaveLength(0);
    probe.open.add(1234);
    igd.mappings.clear();
    const open = await runCli(['check', '--reach'], { cwd: dir, env });
    expect(open.code).toBe(0);
    expect(open.stdout).toContain('✓ Port reachable from outside');
    expect(open.stdout).toContain('! Router forward (myoffice.duckdns.org:1234/tcp): the router lists no forward for TCP port 1234');
    expect(open.stdout).toContain('Verdict: every link that was checked works.');
    expect(probe.requests).toHaveLength(2);
  });
});
