import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { misbehave, type Delivery, type Misbehaviour } from '../fakes/faulty.js';
import { startFake } from '../fakes/server.js';
import { runCli, tempDir, writeConfig } from '../helpers/cli.js';
import { record } from './report.js';

const V4 = '81.2.69.160';
const TOKEN = 'faults-source-token-4b1d';
const TIMEOUT_MS = 1000;

const faults: [string, Misbehaviour, string][] = [
  ['garbage', { kind: 'answer', status: 200, body: 'hello there' }, 'not an address'],
  ['an HTML error page', { kind: 'answer', status: 200, body: '<!doctype html><h1>Service Unavailable</h1>' }, 'HTML page'],
  ['an address of the wrong family', { kind: 'answer', status: 200, body: '2a02:8010:1::1' }, 'IPv6 address where IPv4 was asked for'],
  ['a private address', { kind: 'answer', status: 200, body: '192.168.1.10' }, 'private (LAN) address'],
  ['a CGNAT address', { kind: 'answer', status: 200, body: '100.64.12.1' }, 'carrier-grade NAT'],
  ['a documentation address', { kind: 'answer', status: 200, body: '203.0.113.9' }, 'documentation address'],
  ['a 5xx', { kind: 'answer', status: 502, body: 'bad gateway' }, 'answered HTTP 502'],
  ['a redirect to a non-https URL', { kind: 'redirect', location: 'http://127.0.0.1:9/ip' }, 'redirected (HTTP 302)'],
  ['a body of 10 MB', { kind: 'huge', bytes: 10 * 1024 * 1024 }, 'larger than 4096 bytes'],
  ['one byte a second', { kind: 'trickle', first: V4 }, `no answer within 1s`],
  ['a connection reset', { kind: 'reset' }, 'the connection closed before the answer was complete'],
  ['no answer at all', { kind: 'hang' }, 'no answer within 1s'],
];

describe('faulty sources', () => {
  let good: EchoServer;
  let duck: FakeDuckDns;
  beforeAll(async () => {
    good = await startEcho(V4);
    duck = await startDuckDns({ token: TOKEN, domains: ['office'] });
  });
  afterAll(async () => {
    await Promise.all([good.close(), duck.close()]);
  });

  it.concurrent.each(faults)('a source that answers %s is rejected within detect.timeout', async (name, fault, reason) => {
    const deliveries: Promise<Delivery>[] = [];
    const faulty = await startFake((_req, res) => {
      deliveries.push(misbehave(res, fault));
    });
    const dir = tempDir();
    writeConfig(
      dir,
      `detect:\n  ipv4: [${faulty.url}/, ${good.url}/]\n  agree: 2\n  timeout: 1s\nproviders:\n  - type: duckdns\n    token: ${TOKEN}\n    endpoint: ${duck.url}\n    hosts: [office]\n`,
    );
    const before = duck.requests.length;
    const result = await runCli(['once'], { cwd: dir });
    await faulty.close();
    const took = Number(/Cycle took ([\d.]+) s/.exec(result.stdout)?.[1]) * 1000;

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(reason);
    expect(duck.requests.length - before).toBe(0);
    // ddnsd's own measure of the cycle: the machine's load does not skew it as wall time would.
    expect(took).toBeLessThan(TIMEOUT_MS + 500);
    if (fault.kind === 'huge') {
      const delivery = await deliveries[0];
      expect(delivery?.cutShort).toBe(true);
    }
    record({
      area: 'Sources',
      fault: `a source answers ${name}`,
      expected: 'answer rejected within detect.timeout (1s); no provider request',
      observed: `exit ${result.code}, cycle took ${Math.round(took)} ms: "${reason}"`,
      requests: `source 1, provider ${duck.requests.length - before}`,
      outputs: [result.stdout, result.stderr],
      secrets: [TOKEN],
    });
  });
});
