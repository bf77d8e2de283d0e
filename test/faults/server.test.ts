import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../src/status.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { send, startFake, type FakeServer } from '../fakes/server.js';
import { until } from '../helpers/wait.js';
import { cycleTotals as cycleTotalsIn, observeDaemon } from './daemon.js';
import { record } from './report.js';

const SERVER_TOKEN = 'faults-server-token-0d5f2c';
const DUCK_TOKEN = 'faults-server-duck-4e7a';
const PROVIDER_DELAY_MS = 300;

/**
 * Fires `count` concurrent GETs from a separate process, over at most 50
 * connections (the server keeps at most 64 open per client); returns how many
 * answered 200, and a few bodies.
 */
function concurrentReads(url: string, count: number): Promise<{ ok: number; samples: string[] }> {
  const script = `
    const { Agent, fetch } = await import('undici');
    const dispatcher = new Agent({ connections: 50 });
    const url = process.argv[1];
    const results = await Promise.all(Array.from({ length: ${count} }, async () => {
      const res = await fetch(url, { dispatcher });
      return { status: res.status, text: await res.text() };
    }));
    process.stdout.write(JSON.stringify({ ok: results.filter((r) => r.status === 200).length, samples: results.slice(0, 20).map((r) => r.text) }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as { ok: number; samples: string[] });
      else reject(new Error(`the load process exited ${code}`));
    });
  });
}

/** Seconds spent in cycles so far, and how many: from /metrics. */
async function cycleTotals(url: string, outputs: string[]): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  outputs.push(text);
  return cycleTotalsIn(text);
}

describe('the status server under abuse', () => {
  let echo: EchoServer;
  let duck: FakeServer;
  beforeAll(async () => {
    echo = await startEcho('81.2.69.160');
    // DuckDNS's protocol, answering after a delay so a cycle takes a measurable time.
    duck = await startFake(async (req, res) => {
      await new Promise((r) => setTimeout(r, PROVIDER_DELAY_MS));
      const ok = req.url.searchParams.get('token') === DUCK_TOKEN;
      send(res, 200, ok ? `OK\n${req.url.searchParams.get('ip') ?? ''}\n\nUPDATED` : 'KO');
    });
  });
  afterAll(async () => {
    await Promise.all([echo.close(), duck.close()]);
  });

  it('refuses what it must, survives bad requests and slow clients, and serves 1,000 concurrent reads while a cycle runs', async () => {
    const rows: { fault: string; expected: string; observed: string; requests: string; inputs?: number }[] = [];
    const observed = await observeDaemon(
      `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\n  token: \${SERVER_TOKEN}\n` +
        `providers:\n  - type: duckdns\n    token: \${DUCK_TOKEN}\n    endpoint: ${duck.url}\n    hosts: [office]\n`,
      {
        env: { SERVER_TOKEN, DUCK_TOKEN },
        during: async (url, _cli, outputs) => {
          const seen = async (res: Response): Promise<Response> => {
            outputs.push(await res.clone().text(), JSON.stringify([...res.headers]));
            return res;
          };
          const providerBefore = duck.requests.length;

          // Mutating without the token, and other bad requests: each answered 4xx, none starts a cycle.
          const big = 'x'.repeat(64 * 1024);
          const bad: [string, string, RequestInit, number[]][] = [
            ['POST without a token', '/api/update', { method: 'POST' }, [401]],
            ['POST with a wrong token', '/api/update', { method: 'POST', headers: { authorization: 'Bearer not-the-token' } }, [401]],
            ['POST with the token as a prefix', '/api/update', { method: 'POST', headers: { authorization: `Bearer ${SERVER_TOKEN}x` } }, [401]],
            ['POST with Basic auth', '/api/update', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`u:${SERVER_TOKEN}`).toString('base64')}` } }, [401]],
            ['POST with the token in the query', `/api/update?token=${SERVER_TOKEN}`, { method: 'POST' }, [401]],
            ['an oversized body without the token', '/api/update', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } }, [401]],
            [
              'an oversized body with the token',
              '/api/update',
              { method: 'POST', body: big, headers: { authorization: `Bearer ${SERVER_TOKEN}`, 'content-type': 'application/json' } },
              [413],
            ],
            [
              'malformed JSON with the token',
              '/api/update',
              { method: 'POST', body: '{"now": tru', headers: { authorization: `Bearer ${SERVER_TOKEN}`, 'content-type': 'application/json' } },
              [400],
            ],
            ['PUT /api/status', '/api/status', { method: 'PUT', body: '{}' }, [404, 405]],
            ['DELETE /api/update', '/api/update', { method: 'DELETE' }, [404, 405]],
            ['GET /api/update', '/api/update', {}, [404, 405]],
            ['a dot-dot path', '/assets/..%2f..%2fpackage.json', {}, [404]],
            ['an encoded NUL', '/api/status%00', {}, [400, 404]],
            ['a malformed escape', '/api/%E0%A4%A', {}, [400, 404]],
            ['a double slash', '//etc/passwd', {}, [404]],
            ['a very long path', `/${'a'.repeat(8000)}`, {}, [404, 414]],
          ];
          for (const [, path, init, codes] of bad) {
            const res = await seen(await fetch(`${url}${path}`, init));
            expect(codes, `${init.method ?? 'GET'} ${path.slice(0, 40)}`).toContain(res.status);
          }
          expect(duck.requests.length).toBe(providerBefore);
          rows.push({
            fault: `${bad.length} bad requests: POSTs without or with a wrong token, oversized and malformed bodies, bad methods, path tricks`,
            expected: '4xx for each, no cycle started, no crash',
            observed: 'each answered as expected (401, 413, 400, 404); the server kept serving',
            requests: `provider ${duck.requests.length - providerBefore}`,
            inputs: bad.length,
          });

          // Slow-loris: clients that send their headers a byte at a time.
          const host = new URL(url);
          const sockets: Socket[] = [];
          for (let i = 0; i < 50; i++) {
            const socket = connect(Number(host.port), host.hostname);
            socket.on('error', () => {});
            sockets.push(socket);
          }
          const header = 'GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: ';
          let sent = 0;
          const drip = setInterval(() => {
            for (const s of sockets) if (!s.destroyed) s.write(header[sent % header.length] ?? 'x');
            sent += 1;
          }, 50);
          const started = performance.now();
          const during = await seen(await fetch(`${url}/api/status`));
          const answeredIn = performance.now() - started;
          clearInterval(drip);
          for (const s of sockets) s.destroy();
          expect(during.status).toBe(200);
          expect(answeredIn).toBeLessThan(2000);
          rows.push({
            fault: '50 slow-loris clients dripping header bytes',
            expected: 'other clients still served; requests must arrive within 10 s',
            observed: `/api/status answered 200 in ${Math.round(answeredIn)} ms meanwhile`,
            requests: 'none to providers',
          });

          // 1,000 concurrent reads while a cycle runs. The first cycle's duration is counted once it has
          // saved the state, a moment after its hosts show ok (a long moment on a busy machine): wait for it.
          await until(async () => (await cycleTotals(url, outputs)).count > 0, 60_000, 'the first cycle to be counted');
          const baseline = await cycleTotals(url, outputs);
          echo.answer = '81.2.69.161';
          const trigger = await seen(await fetch(`${url}/api/update`, { method: 'POST', headers: { authorization: `Bearer ${SERVER_TOKEN}` } }));
          expect(trigger.status).toBe(202);
          // The load comes from another process, so the fakes in this one answer the cycle as fast as ever.
          const reads = await concurrentReads(`${url}/api/status`, 1000);
          outputs.push(...reads.samples);
          expect(reads.ok).toBe(1000);
          await until(async () => (await cycleTotals(url, outputs)).count > baseline.count, 10_000, 'the triggered cycle');
          const after = await cycleTotals(url, outputs);
          const loaded = (after.sum - baseline.sum) * 1000;
          const quiet = (baseline.sum / baseline.count) * 1000;
          expect(loaded).toBeLessThan(quiet * 1.5 + 100);
          const status = (await (await seen(await fetch(`${url}/api/status`))).json()) as Status;
          expect(status.hosts[0]?.address).toBe('81.2.69.161');
          rows.push({
            fault: '1,000 concurrent GET /api/status (over 50 connections) while a cycle runs',
            expected: 'all answered; the cycle timing unaffected',
            observed: `1000 of 1000 answered 200; the cycle took ${Math.round(loaded)} ms against ${Math.round(quiet)} ms unloaded (provider delay ${PROVIDER_DELAY_MS} ms)`,
            requests: `provider ${duck.requests.length - providerBefore}`,
          });
        },
      },
    );
    expect(observed.exitCode).toBe(0);
    for (const row of rows) record({ area: 'Status server', ...row, outputs: observed.outputs, secrets: [SERVER_TOKEN, DUCK_TOKEN] });
  }, 90_000);
});
