/**
 * The status server as `ddnsd run` serves it: a daemon in this process
 * against local fake sources and a fake DuckDNS, over real HTTP on 127.0.0.1.
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import type { LanAddress } from '../src/lan.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import type { Status } from '../src/status.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';
import { statusDaemonYaml } from './helpers/config-yaml.js';

const FIRST = '81.2.69.160';
const SECOND = '81.2.69.161';
const DUCK_TOKEN = 'duck-secret-91c4e2aa-token';
const PAGE_TOKEN = 'page-secret-3d7f0b52-token';
const SECRETS = [DUCK_TOKEN, PAGE_TOKEN];
const RETRY = { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 };

describe('the status server of a running daemon', () => {
  let echoA: EchoServer;
  let echoB: EchoServer;
  let duck: FakeDuckDns;
  let dir: string;
  let daemon: Daemon | undefined;
  let logs: string[];
  let lan: LanAddress[];

  beforeEach(async () => {
    echoA = await startEcho(FIRST);
    echoB = await startEcho(FIRST);
    duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['myoffice', 'portal', 'lab'] });
    dir = tempDir();
    logs = [];
    lan = [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.20' }];
    writeFileSync(join(dir, 'page-token'), `${PAGE_TOKEN}\n`);
    writeFileSync(
      join(dir, 'config.yaml'),
      `${statusDaemonYaml([echoA.url, echoB.url])}  token_file: ./page-token
providers:
  - type: duckdns
    token: \${DUCKDNS_TOKEN}
    endpoint: ${duck.url}
    hosts: [myoffice, portal, lab]
`,
    );
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([echoA.close(), echoB.close(), duck.close()]);
  });

  async function start(): Promise<Daemon> {
    const config = loadConfig({ providers: PROVIDERS, path: join(dir, 'config.yaml'), env: { DUCKDNS_TOKEN: DUCK_TOKEN }, cwd: dir });
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'debug', redactor, write: (line) => logs.push(line) });
    daemon = await startDaemon(config, { log, redactor, retry: RETRY, lan: () => lan });
    // The first cycle starts with the loop; joining it waits for its end.
    await daemon.loop.runNow().done;
    return daemon;
  }

  const status = async (d: Daemon): Promise<Status> => (await fetch(`${d.url}/api/status`)).json() as Promise<Status>;

  it('never shows a secret in any answer, even when a provider echoes one back', async () => {
    const d = await start();
    echoA.answer = SECOND;
    echoB.answer = SECOND;
    duck.failNext(1, 200, {}, `ERR bad request token=${DUCK_TOKEN}`);
    const cycle = await fetch(`${d.url}/api/update`, { method: 'POST', headers: { authorization: `Bearer ${PAGE_TOKEN}` } });
    expect(cycle.status).toBe(202);
    await d.loop.runNow().done;
    const s = await status(d);
    expect(s.hosts.every((h) => h.status === 'failing')).toBe(true);
    expect(s.hosts[0]?.lastError).toContain('token=[redacted]');
    expect(duck.updates()).toHaveLength(2);

    const requests: [string, RequestInit?][] = [
      ['/'],
      ['/assets/status.js'],
      ['/assets/status.css'],
      ['/api/status'],
      ['/healthz'],
      ['/metrics'],
      ['/nope'],
      ['/api/update', { method: 'POST' }],
      ['/api/update', { method: 'POST', headers: { authorization: `Bearer ${DUCK_TOKEN}` } }],
      ['/api/update', { method: 'POST', headers: { authorization: `Bearer ${PAGE_TOKEN}`, 'content-type': 'application/json' }, body: '{"x":' }],
      ['/api/update', { method: 'POST', headers: { authorization: `Bearer ${PAGE_TOKEN}` } }],
    ];
    const seen: number[] = [];
    for (const [path, init] of requests) {
      const res = await fetch(`${d.url}${path}`, init);
      seen.push(res.status);
      const everything = `${JSON.stringify([...res.headers])}\n${await res.text()}`;
      for (const secret of SECRETS) {
        for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
          expect(everything, `${path} shows a secret`).not.toContain(form);
        }
      }
    }
    expect(seen).toEqual([200, 200, 200, 200, 503, 200, 404, 401, 401, 400, 202]);
    await d.loop.runNow().done;
    for (const line of logs) for (const secret of SECRETS) expect(line).not.toContain(secret);
  });

  it('answers garbage and an oversized streamed body with 4xx and keeps serving', async () => {
    const d = await start();
    const { hostname, port } = new URL(d.url);
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => socket.end(text));
        let answer = '';
        socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
        socket.on('data', (b: Buffer) => (answer += b.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    const chunk = 'x'.repeat(8192);
    const chunked = `POST /api/update HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${PAGE_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${`${(8192).toString(16)}\r\n${chunk}\r\n`.repeat(
      4,
    )}0\r\n\r\n`;
    expect(await raw(chunked)).toMatch(/^HTTP\/1\.1 413 /);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
  });

  it('counts what the cycles did in /metrics', async () => {
    const d = await start();
    const text = await (await fetch(`${d.url}/metrics`)).text();
    expect(duck.updates()).toHaveLength(1);
    expect(text).toMatch(/^ddnsd_updates_total\{provider="duckdns",result="updated"\} 3$/m);
    expect(text).toMatch(/^ddnsd_detections_total\{family="ipv4",result="success"\} 1$/m);
    expect(text).toMatch(/^ddnsd_cycle_duration_seconds_count 1$/m);
    expect(text).toMatch(new RegExp(`^ddnsd_address_info\\{family="ipv4",address="${FIRST}"\\} 1$`, 'm'));
    expect(text).toMatch(/^ddnsd_last_update_timestamp_seconds\{provider="duckdns",host="lab.duckdns.org",family="ipv4"\} \d+(\.\d+)?$/m);
  });

  it('warns on the page when a LAN address changed since the last run, and remembers it across restarts', async () => {
    let d = await start();
    expect((await status(d)).lan).toMatchObject({ addresses: lan, change: null });
    await d.stop();
    daemon = undefined;

    lan = [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.37' }];
    d = await start();
    const s = await status(d);
    expect(s.lan.addresses).toEqual(lan);
    expect(s.lan.change).toMatchObject({
      removed: [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.20' }],
      added: [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.37' }],
    });
    const page = await (await fetch(`${d.url}/`)).text();
    expect(page).toMatch(/A LAN address of this machine changed[\s\S]*<code>192\.168\.1\.20<\/code> is gone, now <code>192\.168\.1\.37<\/code>/);
    expect(page).toContain('static internal address');
    await d.stop();
    daemon = undefined;

    // Still shown after another restart with the new address.
    d = await start();
    expect((await status(d)).lan.change?.removed[0]?.address).toBe('192.168.1.20');
  });
});
