/**
 * The status server against what people and LAN neighbours actually do:
 * browsers that send `Origin: null`, tabs left open across a restart,
 * sign-out, planted cookies, parallel and rotating password guesses, idle
 * socket floods, TLS suites. Everything runs on loopback; 127.0.0.x and
 * injected remote addresses stand in for other machines.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password.js';
import { buildServer, type ServerDeps } from '../src/server/index.js';
import { clientKey, prefixKey } from '../src/server/limiter.js';
import { openSessions, SESSION_FILE } from '../src/server/session.js';
import { tempDir } from './helpers/cli.js';
import { NOW, sampleStatus } from './helpers/status.js';
import { until } from './helpers/wait.js';
import { selfSignedCert } from './helpers/tls.js';

const TOKEN = 'security-page-token-6b1f93';
const SESSION_KEY = 'cd'.repeat(32);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const HOST = { host: '127.0.0.1:8080' };

function captureLog(): { lines: string[]; log: NonNullable<ServerDeps['log']> } {
  const lines: string[] = [];
  const put = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, log: { debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') } };
}

function app(access: ServerDeps['access'], extra: Partial<ServerDeps> = {}) {
  let cycles = 0;
  const server = buildServer({
    status: sampleStatus,
    now: () => NOW,
    token: TOKEN,
    runNow: () => ({ id: ++cycles, joined: false, done: Promise.resolve() }),
    access: { auth: 'token', publicRead: false, listen: { host: '0.0.0.0', port: 8080 }, sessionKey: SESSION_KEY, ...access },
    ...extra,
  });
  return Object.assign(server, { cycles: () => cycles });
}

const cookieOf = (res: { headers: Record<string, unknown> }): string => String(res.headers['set-cookie']).split(';')[0] as string;

describe('the same-site check', () => {
  it("sends Referrer-Policy same-origin, so browsers name this origin on the page's POSTs", async () => {
    const res = await app({}).inject({ url: '/', headers: HOST });
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  it('lets a sign-in through when Sec-Fetch-Site vouches for it, even with Origin: null; refuses Origin: null alone and other sites', async () => {
    const a = app({});
    const post = (headers: Record<string, string>) => a.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM, ...headers }, payload: `token=${TOKEN}` });
    // Chromium's form POST under the old no-referrer policy.
    expect((await post({ origin: 'null', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(303);
    expect((await post({ origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(303);
    expect((await post({ 'sec-fetch-site': 'none' })).statusCode).toBe(303);
    expect((await post({})).statusCode).toBe(303);
    // A sandboxed frame or data: page without fetch metadata, another port of this host, another site.
    expect((await post({ origin: 'null' })).statusCode).toBe(403);
    expect((await post({ origin: 'http://127.0.0.1:9000', 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
    expect((await post({ origin: 'http://attacker.example', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(403);
    expect((await post({ origin: 'http://attacker.example' })).statusCode).toBe(403);
  });

  it('logs a refused request once a minute per client, with the reason and no secret', async () => {
    const { lines, log } = captureLog();
    const a = app({}, { log });
    for (let i = 0; i < 5; i++) {
      await a.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM, origin: 'null' }, payload: `token=${TOKEN}` });
    }
    await a.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM, origin: 'null' }, payload: `token=${TOKEN}`, remoteAddress: '127.0.0.9' });
    const refused = lines.filter((l) => l.includes('403'));
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatch(/^warn Refused POST \/login from 127\.0\.0\.1 with 403 .*Origin: null/);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('sessions', () => {
  it('a signed-in session presses "Update now" without the token; another site\'s POST with the cookie is still refused', async () => {
    const a = app({});
    const cookie = cookieOf(await a.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM }, payload: `token=${TOKEN}` }));
    const page = await a.inject({ url: '/', headers: { ...HOST, cookie } });
    expect(page.body).toContain('id="update-form"');
    expect(page.body).not.toContain('id="token"');
    const pressed = await a.inject({ method: 'POST', url: '/api/update', headers: { ...HOST, cookie, origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' } });
    expect(pressed.statusCode).toBe(202);
    const forged = await a.inject({ method: 'POST', url: '/api/update', headers: { ...HOST, cookie, origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' } });
    expect(forged.statusCode).toBe(403);
    expect(a.cycles()).toBe(1);
  });

  it('a cookie that fails verification (a tab left open across a restart) is no session: cleared, never counted, never locked out', async () => {
    const before = app({ sessionKey: 'ab'.repeat(32) });
    const cookie = cookieOf(await before.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM }, payload: `token=${TOKEN}` }));
    const after = app({ sessionKey: 'ef'.repeat(32) });
    const codes = new Set<number>();
    // Two minutes of polling every 5 s.
    for (let i = 0; i < 24; i++) {
      const res = await after.inject({ url: '/api/status', headers: { ...HOST, cookie } });
      codes.add(res.statusCode);
      expect(String(res.headers['set-cookie'])).toMatch(/^ddnsd_session=; Path=\/; Max-Age=0/);
    }
    expect([...codes]).toEqual([401]);
    const signIn = await after.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM, cookie }, payload: `token=${TOKEN}` });
    expect(signIn.statusCode).toBe(303);
    const metrics = await after.inject({ url: '/metrics', headers: { ...HOST, authorization: `Bearer ${TOKEN}` } });
    expect(metrics.body).not.toContain('ddnsd_auth_failures_total{');
  });

  it('survive a restart (key in the state folder, mode 0600); sign-out ends the session on the server, also after a restart', async () => {
    const dir = tempDir();
    const start = async () => app({}, { sessions: await openSessions(dir, { now: () => NOW }) });
    const first = await start();
    const cookie = cookieOf(await first.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM }, payload: `token=${TOKEN}` }));
    expect(((await stat(join(dir, SESSION_FILE))).mode & 0o777).toString(8)).toBe('600');
    const key = JSON.parse(await readFile(join(dir, SESSION_FILE), 'utf8')).key as string;
    expect(cookie).not.toContain(key);

    const second = await start();
    expect((await second.inject({ url: '/api/status', headers: { ...HOST, cookie } })).statusCode).toBe(200);
    const out = await second.inject({ method: 'POST', url: '/logout', headers: { ...HOST, ...FORM, cookie } });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    // The browser forgot it; someone who copied it did not.
    expect((await second.inject({ url: '/api/status', headers: { ...HOST, cookie } })).statusCode).toBe(401);

    const third = await start();
    const reused = await third.inject({ url: '/api/status', headers: { ...HOST, cookie } });
    expect(reused.statusCode).toBe(401);
    expect(reused.body).not.toContain('myoffice.duckdns.org');
    // Signing in again gives a new, working session.
    const again = cookieOf(await third.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM }, payload: `token=${TOKEN}` }));
    expect((await third.inject({ url: '/api/status', headers: { ...HOST, cookie: again } })).statusCode).toBe(200);
  });

  it('starts with a new key, and says so, when session.json is not one ddnsd wrote or cannot be written', async () => {
    const dir = tempDir();
    await writeFile(join(dir, SESSION_FILE), '{"key": "not hex"}');
    const { lines, log } = captureLog();
    const sessions = await openSessions(dir, { now: () => NOW, log });
    expect(lines).toEqual([expect.stringMatching(/^warn .*session\.json is not a session file ddnsd wrote: starting with a new session key/)]);
    expect(JSON.parse(await readFile(join(dir, SESSION_FILE), 'utf8')).key).toBe(sessions.key);
    // A state folder that is a file: sessions work, and end at a restart.
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, '');
    const unwritable = captureLog();
    const memory = await openSessions(join(blocked, 'state'), { now: () => NOW, log: unwritable.log });
    expect(memory.check(memory.sign(NOW), NOW)).toBe('valid');
    expect(unwritable.lines.at(-1)).toMatch(/^warn Cannot write .*sign-ins on the status page will end when ddnsd restarts/);
    expect([...lines, ...unwritable.lines].join('\n')).not.toContain(sessions.key);
  });

  it('under TLS the cookie is __Host-ddnsd_session: a planted ddnsd_session neither shadows it nor signs anyone in; HSTS is sent', async () => {
    const dir = tempDir();
    const { cert, key } = selfSigned(dir, 'rsa:2048');
    const a = app({ tls: { certFile: cert, keyFile: key } });
    const login = await a.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM }, payload: `token=${TOKEN}` });
    expect(String(login.headers['set-cookie'])).toMatch(/^__Host-ddnsd_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/);
    expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
    const real = cookieOf(login);
    const planted = 'ddnsd_session=1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect((await a.inject({ url: '/api/status', headers: { ...HOST, cookie: `${planted}; ${real}` } })).statusCode).toBe(200);
    const forged = await a.inject({ url: '/api/status', headers: { ...HOST, cookie: `ddnsd_session=${real.split('=')[1]}` } });
    expect(forged.statusCode).toBe(401);
    expect((await app({}).inject({ url: '/', headers: HOST })).headers['strict-transport-security']).toBeUndefined();
  });
});

describe('TLS suites', () => {
  it('offers ECDHE with AEAD only: static-RSA and CBC suites fail the handshake', async () => {
    const dir = tempDir();
    const { cert, key } = selfSigned(dir, 'rsa:2048');
    const a = app({ tls: { certFile: cert, keyFile: key }, listen: { host: '127.0.0.1', port: 0 } });
    await a.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (a.server.address() as { port: number }).port;
      const handshake = (ciphers: string): Promise<string> =>
        new Promise((resolve) => {
          const socket = tlsConnect({ host: '127.0.0.1', port, ciphers, maxVersion: 'TLSv1.2', rejectUnauthorized: false }, () => {
            resolve(socket.getCipher().name);
            socket.destroy();
          });
          socket.on('error', () => resolve('refused'));
        });
      expect(await handshake('AES128-GCM-SHA256')).toBe('refused');
      expect(await handshake('AES256-SHA')).toBe('refused');
      expect(await handshake('ECDHE-RSA-AES128-SHA')).toBe('refused');
      expect(await handshake('ECDHE-RSA-AES128-GCM-SHA256')).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    } finally {
      await a.close();
    }
  });
});

describe('auth: basic', () => {
  it('counts each guess before scrypt runs: 200 parallel guesses from one address get at most 10 checks; the thread pool stays free', async () => {
    const hash = await hashPassword('the right horse battery');
    const a = app({ auth: 'basic', basic: { username: 'admin', passwordHash: hash } });
    const guess = (i: number) => `Basic ${Buffer.from(`admin:guess-${i}`).toString('base64')}`;
    const started = performance.now();
    const burst = Promise.all(Array.from({ length: 200 }, (_, i) => a.inject({ url: '/api/status', headers: { ...HOST, authorization: guess(i) } })));
    // What an update cycle needs from the same thread pool while the burst runs: a file read.
    const poolStart = performance.now();
    await readFile(new URL(import.meta.url));
    const poolMs = performance.now() - poolStart;
    const answers = await burst;
    const totalMs = performance.now() - started;
    const checked = answers.filter((r) => r.statusCode === 401).length;
    const limited = answers.filter((r) => r.statusCode === 429 || r.statusCode === 503).length;
    console.log(`basic burst: ${checked} checked, ${limited} refused unchecked, pool task waited ${poolMs.toFixed(1)} ms, burst took ${totalMs.toFixed(0)} ms`);
    expect(checked).toBeLessThanOrEqual(10);
    expect(checked + limited).toBe(200);
    // With 200 scrypt runs queued ahead of it, the read waited 63 s on a busy machine; now at most two run at
    // once and two pool threads stay free (what is left is the event loop answering 200 requests).
    expect(poolMs).toBeLessThan(10_000);
    // One after another, the same address gets 10 checks in the minute in all, then 429 (the right password too).
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await a.inject({ url: '/api/status', headers: { ...HOST, authorization: guess(1000 + i) } })).statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(10 - checked);
    const right = await a.inject({ url: '/api/status', headers: { ...HOST, authorization: `Basic ${Buffer.from('admin:the right horse battery').toString('base64')}` } });
    expect(right.statusCode).toBe(429);
  }, 60_000);

  it("checks one browser's parallel requests with the same header once, and lets them all in", async () => {
    const hash = await hashPassword('the right horse battery');
    const a = app({ auth: 'basic', basic: { username: 'admin', passwordHash: hash } });
    const right = `Basic ${Buffer.from('admin:the right horse battery').toString('base64')}`;
    const answers = await Promise.all(
      ['/', '/assets/status.css', '/assets/status.js', '/api/status', '/metrics'].map((url) => a.inject({ url, headers: { ...HOST, authorization: right } })),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('rotating addresses', () => {
  it('limits an IPv6 address to 10 failures a minute and its /64 to 30, however many addresses it rotates through', async () => {
    const a = app({});
    const guess = (remoteAddress: string) => a.inject({ url: '/api/status', headers: { ...HOST, authorization: 'Bearer wrong-token-guess' }, remoteAddress });
    const one: number[] = [];
    for (let i = 0; i < 12; i++) one.push((await guess('2001:db8:1:2::1')).statusCode);
    expect(one).toEqual([...Array.from({ length: 10 }, () => 401), 429, 429]);
    const rotating: number[] = [];
    for (let i = 2; i <= 30; i++) rotating.push((await guess(`2001:db8:1:2::${i.toString(16)}`)).statusCode);
    // 10 from the first address and 20 from the others fill the /64's 30.
    expect(rotating.filter((c) => c === 401)).toHaveLength(20);
    expect(rotating.slice(20).every((c) => c === 429)).toBe(true);
    // Another /64 is another client.
    expect((await a.inject({ url: '/api/status', headers: { ...HOST, authorization: `Bearer ${TOKEN}` }, remoteAddress: '2001:db8:1:3::1' })).statusCode).toBe(200);
    expect([clientKey('::ffff:192.0.2.7'), clientKey('2001:DB8:0:0::1'), prefixKey('2001:db8:1:2:aaaa::1'), prefixKey('192.0.2.7')]).toEqual([
      '192.0.2.7',
      '2001:db8::1',
      '2001:db8:1:2::/64',
      undefined,
    ]);
  });

  it('stops 1,000 guesses from 100 loopback addresses with a global budget of 50 failures a minute; a signed-in session keeps reading', async () => {
    const a = app({ listen: { host: '127.0.0.1', port: 0 } });
    const cookie = cookieOf(await a.inject({ method: 'POST', url: '/login', headers: { ...HOST, ...FORM }, payload: `token=${TOKEN}` }));
    await a.listen({ host: '127.0.0.1', port: 0 });
    const port = (a.server.address() as { port: number }).port;
    const agents = Array.from({ length: 100 }, (_, i) => new Agent({ localAddress: `127.0.1.${i + 1}`, connections: 1 }));
    try {
      const counts = { 401: 0, 429: 0, other: 0 };
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          agents.map(async (dispatcher, i) => {
            const res = await request(`http://127.0.0.1:${port}/api/status`, { dispatcher, headers: { host: `127.0.0.1:${port}`, authorization: `Bearer guess-${round}-${i}` } });
            await res.body.dump();
            return res.statusCode;
          }),
        );
        for (const code of answers) {
          if (code === 401 || code === 429) counts[code] += 1;
          else counts.other += 1;
        }
      }
      console.log(`rotating addresses: ${counts[401]} checked, ${counts[429]} answered 429`);
      expect(counts).toEqual({ 401: 50, 429: 950, other: 0 });
      // The health check from this machine still gets its verdict, without the reasons.
      const health = await request(`http://127.0.0.1:${port}/healthz`, { headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}` } });
      expect([health.statusCode, await health.body.json()]).toEqual([503, { ok: false }]);
      const session = await request(`http://127.0.0.1:${port}/api/status`, { headers: { host: `127.0.0.1:${port}`, cookie } });
      await session.body.dump();
      expect(session.statusCode).toBe(200);
    } finally {
      await Promise.all(agents.map((g) => g.close()));
      await a.close();
    }
  }, 60_000);
});

describe('connections', () => {
  it('keeps at most perClient sockets per client and max overall; a flood of idle sockets does not starve another client', async () => {
    const a = app({ auth: 'none', publicRead: true, listen: { host: '127.0.0.1', port: 0 } }, { connections: { max: 60, perClient: 20 } });
    await a.listen({ host: '127.0.0.1', port: 0 });
    const port = (a.server.address() as { port: number }).port;
    const sockets: Socket[] = [];
    const open = (from: string): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = tcpConnect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
        s.on('error', reject);
        sockets.push(s);
      });
    const alive = () => sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
    try {
      for (let i = 0; i < 100; i++) await open('127.0.2.1').catch(() => undefined);
      for (const s of sockets) s.on('end', () => s.destroy());
      await until(() => alive() === 20, 10_000, '80 of 100 idle sockets from one client closed by the server');
      const started = performance.now();
      const res = await request(`http://127.0.0.1:${port}/api/status`, { dispatcher: new Agent({ localAddress: '127.0.2.2' }), headers: { host: `127.0.0.1:${port}` } });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(performance.now() - started).toBeLessThan(5000);
      // Now two more clients fill the rest: 60 overall.
      for (const from of ['127.0.2.3', '127.0.2.4', '127.0.2.5']) for (let i = 0; i < 20; i++) await open(from).catch(() => undefined);
      await until(() => alive() === 60, 10_000, 'the overall limit of 60 sockets');
    } finally {
      for (const s of sockets) s.destroy();
      await a.close();
    }
  }, 60_000);
});

describe('small things', () => {
  it('answers a text/plain POST to /api/update with 415, as the README says', async () => {
    const a = app({});
    const res = await a.inject({ method: 'POST', url: '/api/update', headers: { ...HOST, authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, payload: 'go' });
    expect(res.statusCode).toBe(415);
    expect(a.cycles()).toBe(0);
  });

  it('warns when it serves plain HTTP beyond loopback, not on loopback or with TLS', async () => {
    const beyond = captureLog();
    app({}, { log: beyond.log });
    expect(beyond.lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringMatching(/plain HTTP on 0\.0\.0\.0:8080, beyond loopback.*server\.tls/)]);
    const loopback = captureLog();
    app({ listen: { host: '127.0.0.1', port: 8080 } }, { log: loopback.log });
    expect(loopback.lines).toEqual([]);
  });
});

function selfSigned(dir: string, keyType: string): { cert: string; key: string } {
  const { cert, key } = selfSignedCert(dir, { name: 'server', keyType });
  return { cert, key };
}
