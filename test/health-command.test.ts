import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { healthUrl, probeHealth } from '../src/health.js';
import { createHttpClient } from '../src/base/http.js';
import { startEcho } from './fakes/echo.js';
import { send, startFake } from './fakes/server.js';
import { BIN, childEnv, runCli, tempDir, writeConfig } from './helpers/cli.js';
import { freePort } from './helpers/port.js';
import { selfSignedCert } from './helpers/tls.js';

const http = createHttpClient({ userAgent: 'ddnsd-test' });

describe('healthUrl', () => {
  it('asks a wildcard listen address on loopback', () => {
    expect(healthUrl({ host: '0.0.0.0', port: 8080 })).toBe('http://127.0.0.1:8080/healthz');
    expect(healthUrl({ host: '::', port: 8080 })).toBe('http://[::1]:8080/healthz');
    expect(healthUrl({ host: '127.0.0.2', port: 81 })).toBe('http://127.0.0.2:81/healthz');
  });
});

describe('probeHealth', () => {
  it('reports 200 as healthy and 503 with its reasons', async () => {
    let status = 200;
    const fake = await startFake((_req, res) =>
      send(res, status, JSON.stringify(status === 200 ? { ok: true, reasons: [] } : { ok: false, reasons: ['ipv4 detection: sources disagree'] }), {
        'content-type': 'application/json',
      }),
    );
    const listen = { host: '127.0.0.1', port: Number(new URL(fake.url).port) };
    try {
      expect(await probeHealth(listen, http)).toEqual({ ok: true, reason: `healthy (${fake.url}/healthz answered 200)` });
      status = 503;
      const sick = await probeHealth(listen, http);
      expect(sick.ok).toBe(false);
      expect(sick.reason).toContain('answered 503): ipv4 detection: sources disagree');
      expect(fake.requests.map((r) => r.url.pathname)).toEqual(['/healthz', '/healthz']);
    } finally {
      await fake.close();
    }
  });

  it('says so when nothing listens or something else answers', async () => {
    const port = await freePort();
    const none = await probeHealth({ host: '127.0.0.1', port }, http, 1000);
    expect(none.ok).toBe(false);
    expect(none.reason).toContain('no answer from');
    expect(none.reason).toContain('server.listen or DDNSD_LISTEN');

    const other = await startFake((_req, res) => send(res, 200, '<html>router</html>'));
    try {
      const wrong = await probeHealth({ host: '127.0.0.1', port: Number(new URL(other.url).port) }, http);
      expect(wrong.ok).toBe(false);
      expect(wrong.reason).toContain('not ddnsd');
    } finally {
      await other.close();
    }
  });
});

/** `ddnsd health` until it says healthy (the daemon is starting), at most 40 tries 250 ms apart. */
async function healthWhenUp(dir: string, env: Record<string, string>): Promise<Awaited<ReturnType<typeof runCli>>> {
  let result = await runCli(['health'], { cwd: dir, env });
  for (let i = 0; i < 40 && result.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    result = await runCli(['health'], { cwd: dir, env });
  }
  return result;
}

describe('ddnsd health against ddnsd run', () => {
  it("reads only the server section: the providers' and targets' secrets need not be in its environment", async () => {
    const token = 'health-page-token-51d0b2';
    const fake = await startFake((req, res) =>
      req.headers.authorization === `Bearer ${token}` ? send(res, 200, JSON.stringify({ ok: true, reasons: [] }), { 'content-type': 'application/json' }) : send(res, 401, '{}'),
    );
    const dir = tempDir();
    writeConfig(
      dir,
      `server:\n  listen: 127.0.0.1:${new URL(fake.url).port}\n  token: \${PAGE_TOKEN}\nproviders:\n  - type: duckdns\n    token: \${DUCK_TOKEN}\n    hosts: [office]\nnotify:\n  - type: ntfy\n    topic: \${NTFY_TOPIC}\n`,
    );
    try {
      // As systemd runs it outside the service: only what the shell has, no DUCK_TOKEN or NTFY_TOPIC.
      const result = await runCli(['health'], { cwd: dir, env: { PAGE_TOKEN: token } });
      expect(result.stderr).not.toContain('DUCK_TOKEN');
      expect([result.code, result.stdout]).toEqual([0, `ddnsd: healthy (${fake.url}/healthz answered 200)\n`]);
      // The server section is still checked, with its key path.
      const missing = await runCli(['health'], { cwd: dir, env: {} });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('server.token (line 3)');
      expect(missing.stderr).toContain('PAGE_TOKEN');
      expect(missing.stderr).not.toContain('DUCK_TOKEN');
    } finally {
      await fake.close();
    }
  });

  it('exits 0 while the daemon is healthy and 1 once it is gone', async () => {
    const echo = await startEcho('81.2.69.160');
    const port = await freePort();
    const dir = tempDir();
    writeConfig(dir, `detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 0.0.0.0:${port}\n`);
    // Listen on loopback only in the test; the 0.0.0.0 in the file shows how health maps a wildcard.
    const env = childEnv({ DDNSD_LISTEN: `127.0.0.1:${port}` });
    const daemon = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const result = await healthWhenUp(dir, { DDNSD_LISTEN: `127.0.0.1:${port}` });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('healthy');
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('close', r));
      await echo.close();
    }
    const after = await runCli(['health'], { cwd: dir, env: { DDNSD_LISTEN: `127.0.0.1:${port}` } });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('no answer from');
  });

  it('asks over https with the token when server.tls is set, DDNSD_LISTEN or not', async () => {
    const echo = await startEcho('81.2.69.160');
    const port = await freePort();
    const dir = tempDir();
    selfSignedCert(dir, { name: 'ok' });
    const token = 'health-token-5f1c2e';
    writeConfig(
      dir,
      `detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:${port}\n  auth: token\n  token: ${token}\n  tls:\n    cert_file: ok.crt\n    key_file: ok.key\n`,
    );
    const daemon = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: childEnv({}), stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      // With DDNSD_LISTEN the plain-http quick ask gets no ddnsd answer, so the config's way is taken.
      for (const env of [{}, { DDNSD_LISTEN: `127.0.0.1:${port}` }]) {
        const result = await healthWhenUp(dir, env);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(`healthy (https://127.0.0.1:${port}/healthz answered 200)`);
        expect(result.stdout + result.stderr).not.toContain(token);
      }
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('close', r));
      await echo.close();
    }
  });
});
