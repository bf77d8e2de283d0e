/**
 * The settings API of a running daemon (GET/PUT /api/config, POST
 * /api/config/check) over real HTTP on 127.0.0.1, against a fake DuckDNS:
 * secrets as placeholders, kept on save, never redirected; atomic writes
 * with backups; 400/403/409; a save applied without a restart.
 */
import { chmodSync, chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSource } from '../src/commands/run.js';
import { BACKUPS_KEPT, writeConfigFile } from '../src/config/edit.js';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import type { Status } from '../src/status.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';
import { statusDaemonYaml } from './helpers/config-yaml.js';

const DUCK_TOKEN = 'duck-secret-5b1e07c2-token';
const FILE_TOKEN = 'duck-file-secret-0a4c9e11';
const PAGE_TOKEN = 'page-secret-8e2d4a61-token';
const SECRETS = [DUCK_TOKEN, FILE_TOKEN, PAGE_TOKEN];
const RETRY = { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 };

interface ConfigAnswer {
  yaml: string;
  etag: string;
  writable: boolean;
  path: string;
  reason: string | null;
}

describe('the settings API', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  let elsewhere: FakeDuckDns;
  let dir: string;
  let file: string;
  let daemon: Daemon | undefined;
  let logs: string[];
  let answers: string[];

  const yaml = (serverExtra = ''): string => `# The office's ddnsd
${statusDaemonYaml([echo.url])}  auth: token
  token: ${PAGE_TOKEN} # the page's sign-in
${serverExtra}providers:
  # DuckDNS for the front door
  - type: duckdns
    token: ${DUCK_TOKEN}
    endpoint: ${duck.url}
    hosts: [myoffice]
  - type: duckdns
    token_file: ./duck-token
    endpoint: ${duck.url}
    hosts: [lab]
`;

  beforeEach(async () => {
    echo = await startEcho('81.2.69.160');
    duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['myoffice', 'portal', 'lab'] });
    elsewhere = await startDuckDns({ token: 'not-the-office-token', domains: ['myoffice'] });
    dir = tempDir();
    file = join(dir, 'config.yaml');
    logs = [];
    answers = [];
    writeFileSync(join(dir, 'duck-token'), `${DUCK_TOKEN}\n`);
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    await Promise.all([echo.close(), duck.close(), elsewhere.close()]);
  });

  async function start(text = yaml()): Promise<Daemon> {
    writeFileSync(file, text);
    chmodSync(file, 0o640);
    const config = loadConfig({ providers: PROVIDERS, path: file, env: {}, cwd: dir });
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'debug', redactor, write: (line) => logs.push(line) });
    daemon = await startDaemon(config, { log, redactor, retry: RETRY, source: fileSource(file, { env: {}, cwd: dir }) });
    await daemon.loop.runNow().done;
    return daemon;
  }

  async function call(d: Daemon, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${d.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${PAGE_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  }
  const read = async (d: Daemon): Promise<ConfigAnswer> => (await call(d, 'GET', '/api/config')).json as unknown as ConfigAnswer;
  const status = async (d: Daemon): Promise<Status> => (await call(d, 'GET', '/api/status')).json as unknown as Status;
  const noSecrets = (): void => {
    const seen = [...answers, ...logs].join('\n');
    for (const s of SECRETS) expect(seen).not.toContain(s);
  };

  it('shows the file as written, comments and _file keys included, with every literal secret as a placeholder', async () => {
    const d = await start();
    const got = await read(d);
    expect(got.writable).toBe(true);
    expect(got.reason).toBeNull();
    expect(got.path).toBe(file);
    expect(got.etag).toMatch(/^[0-9a-f]{20}$/);
    expect(got.yaml).toContain("# The office's ddnsd");
    expect(got.yaml).toContain('# DuckDNS for the front door');
    expect(got.yaml).toContain('token_file: ./duck-token');
    expect(got.yaml).toContain('token: "(kept secret providers[0].token)"');
    expect(got.yaml).toContain('token: "(kept secret server.token)" # the page\'s sign-in');
    noSecrets();
  });

  it('shows ${VAR} references as written: they are not secrets', async () => {
    const text = yaml().replace(`token: ${DUCK_TOKEN}`, 'token: ${DUCK_TOKEN}');
    writeFileSync(file, text);
    const config = loadConfig({ providers: PROVIDERS, path: file, env: { DUCK_TOKEN }, cwd: dir });
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'debug', redactor, write: (line) => logs.push(line) });
    daemon = await startDaemon(config, { log, redactor, retry: RETRY, source: fileSource(file, { env: { DUCK_TOKEN }, cwd: dir }) });
    const got = await read(daemon);
    expect(got.yaml).toContain('token: ${DUCK_TOKEN}');
    // A problem that quotes a value does not hand a secret back, even when the editor points another key at it.
    const probe = await call(daemon, 'POST', '/api/config/check', { yaml: got.yaml.replace('interval: 1h', 'interval: ${DUCK_TOKEN}') });
    expect(JSON.stringify(probe.json.problems)).toContain('interval');
    noSecrets();
  });

  it('needs a sign-in for all three, even where reads are public, and refuses another site', async () => {
    const d = await start(yaml('  public_read: true\n'));
    for (const [method, path, body] of [
      ['GET', '/api/config'],
      ['POST', '/api/config/check', { yaml: 'x' }],
      ['PUT', '/api/config', { yaml: 'x', etag: 'y' }],
    ] as const) {
      const res = await fetch(`${d.url}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    const { etag, yaml: text } = await read(d);
    const cross = await call(d, 'PUT', '/api/config', { yaml: text, etag }, { origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' });
    expect(cross.status).toBe(403);
    expect(readFileSync(file, 'utf8')).toBe(yaml('  public_read: true\n'));
  });

  it('checks a text as `ddnsd check` does: each problem with its key path and line', async () => {
    const d = await start();
    const { yaml: text } = await read(d);
    const check = async (bad: string): Promise<{ path: string; line: number; message: string }[]> => {
      const { status: code, json } = await call(d, 'POST', '/api/config/check', { yaml: bad });
      expect(code).toBe(200);
      expect(json.ok).toBe(false);
      return json.problems as { path: string; line: number; message: string }[];
    };
    expect((await check(text.replace('interval: 1h', 'interval: soon'))).find((p) => p.path === 'interval')?.line).toBe(2);
    const badHost = text.replace('hosts: [lab]', 'hosts: [lab.example.com]');
    const hostProblem = (await check(badHost)).find((p) => p.path.startsWith('providers[1].hosts'));
    expect(hostProblem?.line).toBe(badHost.split('\n').indexOf('    hosts: [lab.example.com]') + 1);
    expect(hostProblem?.message).toContain('one label');
    expect((await call(d, 'POST', '/api/config/check', { yaml: text })).json).toMatchObject({ ok: true, problems: [] });
    noSecrets();
  });

  it('saves a new host: kept secrets put back, comments kept, mode kept, the old version beside it, applied at once', async () => {
    const d = await start();
    // The file belongs to another user (ddnsd runs as root here, as in many containers): a save keeps the owner.
    chownSync(file, 4321, 4322);
    const owner = [4321, 4322];
    const before = readFileSync(file, 'utf8');
    const { yaml: text, etag } = await read(d);
    const updatesBefore = duck.updates().length;
    const saved = await call(d, 'PUT', '/api/config', { yaml: text.replace('hosts: [myoffice]', 'hosts: [myoffice, portal]'), etag });
    expect(saved.status).toBe(200);
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(before.replace('hosts: [myoffice]', 'hosts: [myoffice, portal]'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect([statSync(file).uid, statSync(file).gid]).toEqual(owner);
    const backups = readdirSync(dir).filter((n) => n.startsWith('config.yaml.') && n.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0] as string), 'utf8')).toBe(before);
    expect(statSync(join(dir, backups[0] as string)).mode & 0o777).toBe(0o640);
    // Applied without a restart: the new host is sent at once, with the kept token.
    await d.loop.runNow().done;
    expect(duck.records.get('portal')?.ipv4).toBe('81.2.69.160');
    expect(duck.updates().length).toBeGreaterThan(updatesBefore);
    const s = await status(d);
    expect(s.hosts.map((h) => h.host)).toContain('portal.duckdns.org');
    expect(s.config?.from).toBe('save');
    const page = await (await fetch(`${d.url}/`, { headers: { authorization: `Bearer ${PAGE_TOKEN}` } })).text();
    expect(page).toMatch(/<span id="config-applied">config applied <time [^>]+>just now<\/time> \(save\)<\/span>/);
    expect(saved.json.etag).toBe((await read(d)).etag);
    noSecrets();
  });

  it('refuses a kept secret sent to another endpoint, or moved to another key, and writes nothing', async () => {
    const d = await start();
    const before = readFileSync(file, 'utf8');
    const { yaml: text, etag } = await read(d);
    const moved = await call(d, 'PUT', '/api/config', {
      yaml: text.replace(`endpoint: ${duck.url}\n    hosts: [myoffice]`, `endpoint: ${elsewhere.url}\n    hosts: [myoffice]`),
      etag,
    });
    expect(moved.status).toBe(400);
    const problems = moved.json.problems as { path: string; line: number; message: string }[];
    expect(problems[0]?.path).toBe('providers[0].token');
    expect(problems[0]?.message).toContain('providers[0]: endpoint changed');
    expect(problems[0]?.message).toContain('type the secret again');
    expect(problems[0]?.line).toBe(text.split('\n').findIndex((l) => l.includes('(kept secret providers[0].token)')) + 1);
    const stolen = text.replace('token: "(kept secret providers[0].token)"', 'token: "(kept secret server.token)"');
    const swapped = await call(d, 'PUT', '/api/config', { yaml: stolen, etag });
    expect(swapped.status).toBe(400);
    expect(JSON.stringify(swapped.json)).toContain('cannot move to providers[0].token');
    expect(readFileSync(file, 'utf8')).toBe(before);
    // Typed again, the new endpoint is fine.
    const retyped = text
      .replace(`endpoint: ${duck.url}\n    hosts: [myoffice]`, `endpoint: ${elsewhere.url}\n    hosts: [myoffice]`)
      .replace('"(kept secret providers[0].token)"', 'not-the-office-token');
    expect((await call(d, 'PUT', '/api/config', { yaml: retyped, etag })).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toContain(`token: not-the-office-token\n    endpoint: ${elsewhere.url}`);
    expect(readFileSync(file, 'utf8')).toContain(`token: ${DUCK_TOKEN}\n    endpoint: ${duck.url}\n    hosts: [lab]`.replace(`token: ${DUCK_TOKEN}`, 'token_file: ./duck-token'));
    noSecrets();
  });

  it('refuses new ${VAR} and _file references, and an existing one sent to another endpoint: they could read any variable or file', async () => {
    const d = await start();
    const before = readFileSync(file, 'utf8');
    const { yaml: text, etag } = await read(d);
    const put = async (yaml: string): Promise<string> => {
      const r = await call(d, 'PUT', '/api/config', { yaml, etag });
      expect(r.status).toBe(400);
      return JSON.stringify(r.json.problems);
    };
    const added = `${text}  - type: duckdns\n    token_file: /etc/shadow\n    endpoint: ${elsewhere.url}\n    hosts: [myoffice]\n`;
    expect(await put(added)).toContain('"path":"providers[2].token_file","line":22,"message":"/etc/shadow is a new reference to a file');
    expect(await put(text.replace('interval: 1h', 'interval: ${HOME}'))).toContain('a new reference to the environment');
    const redirected = text.replace(`token_file: ./duck-token\n    endpoint: ${duck.url}`, `token_file: ./duck-token\n    endpoint: ${elsewhere.url}`);
    expect(await put(redirected)).toContain('providers[1]: endpoint changed while it reads ./duck-token');
    expect(readFileSync(file, 'utf8')).toBe(before);
    // Kept where they were, they are fine.
    expect((await call(d, 'PUT', '/api/config', { yaml: text.replace('interval: 1h', 'interval: 2h'), etag })).status).toBe(200);
  });

  it('answers 409 when the file changed since it was read, 400 with problems for an invalid text, and writes nothing', async () => {
    const d = await start();
    const { yaml: text, etag } = await read(d);
    const invalid = await call(d, 'PUT', '/api/config', { yaml: text.replace('interval: 1h', 'interval: -5'), etag });
    expect(invalid.status).toBe(400);
    expect((invalid.json.problems as { path: string }[]).map((p) => p.path)).toContain('interval');
    writeFileSync(file, `${readFileSync(file, 'utf8')}# edited by hand\n`);
    const stale = await call(d, 'PUT', '/api/config', { yaml: text, etag });
    expect(stale.status).toBe(409);
    expect(readFileSync(file, 'utf8')).toContain('# edited by hand');
    expect(readdirSync(dir).filter((n) => n.endsWith('.bak'))).toHaveLength(0);
  });

  it('server.editing: false keeps the page read-only: 403 on save, the reason on read', async () => {
    const d = await start(yaml('  editing: false\n'));
    const got = await read(d);
    expect(got.writable).toBe(false);
    expect(got.reason).toContain('server.editing: false');
    const put = await call(d, 'PUT', '/api/config', { yaml: got.yaml, etag: got.etag });
    expect(put.status).toBe(403);
  });

  it('auth: none turns the settings off (nobody could sign in)', async () => {
    const d = await start(yaml().replace('  auth: token\n', '  auth: none\n'));
    const got = await call(d, 'GET', '/api/config');
    expect(got.status).toBe(403);
    expect(got.json.error).toContain('server.auth');
  });

  it('keeps the last 10 versions beside the file', async () => {
    writeFileSync(file, 'interval: 1h\n');
    for (let i = 0; i < BACKUPS_KEPT + 3; i++) await writeConfigFile(file, `interval: ${i + 2}h\n`, Date.UTC(2026, 0, 1, 0, i));
    const backups = readdirSync(dir)
      .filter((n) => n.endsWith('.bak'))
      .sort();
    expect(backups).toHaveLength(BACKUPS_KEPT);
    expect(readFileSync(join(dir, backups[0] as string), 'utf8')).toBe('interval: 4h\n');
    expect(readFileSync(file, 'utf8')).toBe(`interval: ${BACKUPS_KEPT + 4}h\n`);
  });
});
