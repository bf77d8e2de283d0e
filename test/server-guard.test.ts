import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { loadConfig } from './helpers/config.js';
import { hashPassword } from '../src/password.js';
import { buildServer, type ServerDeps } from '../src/server/index.js';
import { SESSION_MS } from '../src/server/session.js';
import { tempDir, writeConfig } from './helpers/cli.js';
import { NOW, sampleStatus } from './helpers/status.js';
import { selfSignedCert } from './helpers/tls.js';

const TOKEN = 'guard-page-token-41c7e0a2';
const METRICS_TOKEN = 'guard-metrics-token-9d03bb';
const SESSION_KEY = 'ab'.repeat(32);
const LAN = '192.168.1.37';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function app(access: ServerDeps['access'], clock = { t: NOW }, extra: Partial<ServerDeps> = {}) {
  return buildServer({
    status: sampleStatus,
    now: () => clock.t,
    token: TOKEN,
    runNow: () => ({ id: 1, joined: false, done: Promise.resolve() }),
    access: { listen: { host: '0.0.0.0', port: 8080 }, sessionKey: SESSION_KEY, ...access },
    ownAddresses: () => [LAN],
    ...extra,
  });
}

/** Everything a response shows: status line, headers and body. */
const whole = (res: { statusCode: number; headers: Record<string, unknown>; body: string }): string => `${res.statusCode} ${JSON.stringify(res.headers)} ${res.body}`;
/** What must never reach someone who has not signed in: addresses, hostnames, errors, secrets. */
const PRIVATE = ['81.2.69.160', '192.168.1.37', 'myoffice.duckdns.org', 'portal.duckdns.org', 'overloaded', TOKEN, METRICS_TOKEN, SESSION_KEY];
const leaks = (text: string): string[] => PRIVATE.filter((p) => text.includes(p));

describe('the Host allowlist (DNS rebinding)', () => {
  it("answers loopback names, the machine's addresses and server.hosts; refuses any other Host with 421 and no data", async () => {
    const a = app({ auth: 'none', publicRead: true, hosts: ['ddnsd.office.lan'] });
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', `${LAN}:8080`, 'ddnsd.office.lan', 'DDNSD.office.lan.:8080']) {
      expect((await a.inject({ url: '/api/status', headers: { host } })).statusCode, host).toBe(200);
    }
    for (const host of ['attacker.example:8080', 'attacker.example', '127.0.0.1.attacker.example', '192.168.1.38', 'localhost@evil']) {
      const res = await a.inject({ url: '/api/status', headers: { host } });
      expect(res.statusCode, host).toBe(421);
      expect(leaks(whole(res)), host).toEqual([]);
    }
  });

  it("refuses a POST another site's page sends (Origin or Sec-Fetch-Site) with 403", async () => {
    const a = app({ auth: 'none', publicRead: true });
    const auth = { authorization: `Bearer ${TOKEN}`, host: '127.0.0.1:8080' };
    expect((await a.inject({ method: 'POST', url: '/api/update', headers: { ...auth, origin: 'http://attacker.example' } })).statusCode).toBe(403);
    expect((await a.inject({ method: 'POST', url: '/api/update', headers: { ...auth, 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(403);
    expect((await a.inject({ method: 'POST', url: '/api/update', headers: { ...auth, origin: 'http://127.0.0.1:8080' } })).statusCode).toBe(202);
  });
});

describe('auth: token', () => {
  const host = { host: `${LAN}:8080` };

  it('shows the sign-in form instead of the status, answers the API 401, and /healthz only its verdict', async () => {
    const a = app({ auth: 'token', publicRead: false, metricsToken: METRICS_TOKEN });
    const page = await a.inject({ url: '/', headers: host });
    expect(page.statusCode).toBe(401);
    expect(page.body).toContain('<form id="sign-in-form" method="post" action="/login">');
    for (const url of ['/', '/api/status', '/metrics', '/healthz', '/nope']) {
      const res = await a.inject({ url, headers: host });
      expect(leaks(whole(res)), url).toEqual([]);
    }
    expect((await a.inject({ url: '/api/status', headers: host })).statusCode).toBe(401);
    expect((await a.inject({ url: '/healthz', headers: host })).json()).toEqual({ ok: false });
    expect((await a.inject({ url: '/healthz', headers: { ...host, authorization: `Bearer ${TOKEN}` } })).json().reasons.length).toBeGreaterThan(0);
    expect((await a.inject({ url: '/assets/status.css', headers: host })).statusCode).toBe(200);
    // The API takes the bearer token; /metrics its own token too.
    expect((await a.inject({ url: '/api/status', headers: { ...host, authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await a.inject({ url: '/metrics', headers: { ...host, authorization: `Bearer ${METRICS_TOKEN}` } })).statusCode).toBe(200);
    expect((await a.inject({ url: '/api/status', headers: { ...host, authorization: `Bearer ${METRICS_TOKEN}` } })).statusCode).toBe(401);
  });

  it('signs in with the token: an HttpOnly, SameSite=Strict cookie that works for 12 hours, then not', async () => {
    const clock = { t: NOW };
    const a = app({ auth: 'token', publicRead: false }, clock);
    const wrong = await a.inject({ method: 'POST', url: '/login', headers: { ...host, ...FORM }, payload: 'token=nope-nope-nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const login = await a.inject({ method: 'POST', url: '/login', headers: { ...host, ...FORM }, payload: `token=${TOKEN}` });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^ddnsd_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] as string;
    const page = await a.inject({ url: '/', headers: { ...host, cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('myoffice.duckdns.org');
    expect(page.body).toContain('action="/logout"');
    // Signing in proved the token, so the session may also press "Update now".
    expect((await a.inject({ method: 'POST', url: '/api/update', headers: { ...host, cookie } })).statusCode).toBe(202);

    clock.t += SESSION_MS + 1;
    const expired = await a.inject({ url: '/api/status', headers: { ...host, cookie } });
    expect(expired.statusCode).toBe(401);
    expect(String(expired.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('refuses tampered cookies as no session: cleared, not counted as failed attempts', async () => {
    const a = app({ auth: 'token', publicRead: false });
    const login = await a.inject({ method: 'POST', url: '/login', headers: { ...host, ...FORM }, payload: `token=${TOKEN}` });
    const value = String(login.headers['set-cookie']).split(';')[0]?.split('=')[1] as string;
    const [expiry, nonce, mac] = value.split('.') as [string, string, string];
    const tampered = [
      `${Number(expiry) + 86_400_000}.${nonce}.${mac}`,
      `${expiry}.${nonce.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${mac}`,
      `${expiry}.${nonce}.${mac.slice(0, -2)}AA`,
      `${expiry}.${nonce}`,
      'admin',
    ];
    for (const v of tampered) {
      const res = await a.inject({ url: '/api/status', headers: { ...host, cookie: `ddnsd_session=${v}` } });
      expect(res.statusCode, v).toBe(401);
      expect(String(res.headers['set-cookie']), v).toMatch(/^ddnsd_session=; Path=\/; Max-Age=0/);
      expect(leaks(whole(res))).toEqual([]);
    }
    const metrics = await a.inject({ url: '/metrics', headers: { ...host, authorization: `Bearer ${TOKEN}` } });
    expect(metrics.body).not.toContain('ddnsd_auth_failures_total{');
  });
});

describe('failed authentications', () => {
  it('allows 10 a minute per address, then answers 429 with Retry-After, even to the right token, until the minute is over', async () => {
    const clock = { t: NOW };
    const a = app({ auth: 'token', publicRead: false }, clock);
    const from = (ip: string, token: string) => a.inject({ url: '/api/status', remoteAddress: ip, headers: { host: '127.0.0.1', authorization: `Bearer ${token}` } });
    for (let i = 0; i < 10; i++) expect((await from('192.168.1.50', `wrong-${i}-xxxxxxxx`)).statusCode).toBe(401);
    const limited = await from('192.168.1.50', TOKEN);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect((await from('192.168.1.51', TOKEN)).statusCode).toBe(200);
    clock.t += 60_001;
    expect((await from('192.168.1.50', TOKEN)).statusCode).toBe(200);
    const metrics = await a.inject({ url: '/metrics', headers: { host: '127.0.0.1', authorization: `Bearer ${TOKEN}` } });
    expect(metrics.body).toMatch(/ddnsd_auth_failures_total\{reason="wrong token"\} 10/);
    expect(metrics.body).toMatch(/ddnsd_auth_rate_limited_total 1/);
  });

  it('limits the sign-in form the same way', async () => {
    const a = app({ auth: 'token', publicRead: false });
    const post = (token: string) => a.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.0.9', headers: { host: '127.0.0.1', ...FORM }, payload: `token=${token}` });
    for (let i = 0; i < 10; i++) expect((await post('not-it')).statusCode).toBe(401);
    const res = await post(TOKEN);
    expect(res.statusCode).toBe(429);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('Too many failed sign-ins');
  });
});

describe('auth: basic', () => {
  it('asks the browser for a user name and password and accepts only the pair whose hash is configured', async () => {
    const passwordHash = await hashPassword('correct horse battery');
    const a = app({ auth: 'basic', publicRead: false, basic: { username: 'admin', passwordHash } });
    const basic = (u: string, p: string) => ({ host: '127.0.0.1', authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    const none = await a.inject({ url: '/', headers: { host: '127.0.0.1' } });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="ddnsd", charset="UTF-8"');
    expect(leaks(whole(none))).toEqual([]);
    expect((await a.inject({ url: '/api/status', headers: basic('admin', 'wrong password') })).statusCode).toBe(401);
    expect((await a.inject({ url: '/api/status', headers: basic('root', 'correct horse battery') })).statusCode).toBe(401);
    expect((await a.inject({ url: '/api/status', headers: basic('admin', 'correct horse battery') })).statusCode).toBe(200);
    expect((await a.inject({ url: '/', headers: basic('admin', 'correct horse battery') })).statusCode).toBe(200);
  });
});

describe('the server section of the config', () => {
  const load = (server: string, env: Record<string, string> = {}) => {
    const dir = tempDir();
    writeConfig(dir, `detect:\n  ipv4: [http://127.0.0.1:1/]\nserver:\n${server}`);
    return () => loadConfig({ providers: PROVIDERS, env, cwd: dir });
  };

  it('refuses to listen beyond loopback with open reads, saying how to fix it', () => {
    expect(load('  listen: 0.0.0.0:8080\n')).toThrow(
      /server\.token \(line 3\): ddnsd listens on 0\.0\.0\.0:8080, beyond loopback.*set server\.token.*auth: basic.*auth: none with public_read: true/,
    );
    expect(load('  listen: 0.0.0.0:8080\n  auth: none\n')).toThrow(/server\.auth \(line 5\): auth: none while listening on 0\.0\.0\.0:8080, beyond loopback.*public_read: true/);
    expect(load('  listen: 127.0.0.1:8080\n', { DDNSD_LISTEN: '[::]:8080' })).toThrow(/\[::\]:8080 \(DDNSD_LISTEN\), beyond loopback/);
    expect(load('  listen: 0.0.0.0:8080\n  auth: none\n  public_read: true\n')().server.publicRead).toBe(true);
    expect(load('  listen: 0.0.0.0:8080\n  token: long-enough-token\n')().server.auth).toBe('token');
    expect(load('  listen: 127.0.0.1:8080\n')().server.auth).toBe('none');
  });

  it("checks basic auth's hash and the keys that belong to it", async () => {
    expect(load('  auth: basic\n  username: admin\n')).toThrow(/password_hash.*ddnsd hash-password/);
    expect(load('  auth: basic\n  username: admin\n  password_hash: hunter22\n')).toThrow(/server\.password_hash \(line 6\): not a password hash in the form scrypt/);
    expect(load('  token: long-enough-token\n  username: admin\n')).toThrow(/server\.username.*only with auth: basic/);
    const hash = await hashPassword('correct horse battery');
    const config = load(`  listen: 0.0.0.0:8080\n  auth: basic\n  username: admin\n  password_hash: "${hash}"\n`)();
    expect(config.secrets).toContain(hash);
  });

  it('names a bad certificate or key file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.pem'), 'not a certificate');
    const { cert, key } = selfSigned(dir, 'one');
    const cfg = (c: string, k: string) => load(`  tls:\n    cert_file: ${c}\n    key_file: ${k}\n`);
    expect(cfg(join(dir, 'bad.pem'), key)).toThrow(new RegExp(`server\\.tls\\.cert_file \\(line 5\\): ${join(dir, 'bad.pem')} is not a PEM certificate`));
    expect(cfg(join(dir, 'missing.pem'), key)).toThrow(/missing\.pem \(no such file\)/);
    expect(cfg(cert, join(dir, 'bad.pem'))).toThrow(/server\.tls\.key_file.*bad\.pem is not the private key of/);
    expect(cfg(cert, key)().server.tls).toEqual({ certFile: cert, keyFile: key });
  });
});

/** A self-signed certificate for 127.0.0.1 with `name` as its common name. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const { cert, key } = selfSignedCert(dir, { name, cn: name });
  return { cert, key };
}

describe('TLS', () => {
  it('serves https with a Secure cookie and picks up a renewed certificate without a restart', async () => {
    const dir = tempDir();
    const { cert, key } = selfSigned(dir, 'first');
    const a = app({ auth: 'token', publicRead: false, tls: { certFile: cert, keyFile: key }, listen: { host: '127.0.0.1', port: 0 } }, { t: Date.now() });
    await a.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (a.server.address() as { port: number }).port;
      // The certificate a new connection sees, and the cookie a sign-in over it sets.
      const peer = (): Promise<string> =>
        new Promise((resolve, reject) => {
          const req = httpsRequest(
            { host: '127.0.0.1', port, path: '/login', method: 'POST', rejectUnauthorized: false, agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
            (res) => {
              const cn = (res.socket as TLSSocket).getPeerCertificate().subject.CN;
              res.resume();
              res.on('end', () => resolve(`${cn} ${String(res.headers['set-cookie'])}`));
            },
          );
          req.on('error', reject);
          req.end(`token=${TOKEN}`);
        });
      const first = await peer();
      expect(first).toMatch(/^first __Host-ddnsd_session=.*; Path=\/; .*HttpOnly; SameSite=Strict; Secure$/);
      selfSigned(dir, 'first-renewed');
      execFileSync('cp', [join(dir, 'first-renewed.crt'), cert]);
      execFileSync('cp', [join(dir, 'first-renewed.key'), key]);
      expect((a as unknown as { reloadTls(): boolean }).reloadTls()).toBe(true);
      expect((await peer()).startsWith('first-renewed ')).toBe(true);
      // A broken file keeps the working certificate.
      writeFileSync(cert, 'garbage');
      expect((a as unknown as { reloadTls(): boolean }).reloadTls()).toBe(false);
      expect((await peer()).startsWith('first-renewed ')).toBe(true);
    } finally {
      await a.close();
    }
  });
});
