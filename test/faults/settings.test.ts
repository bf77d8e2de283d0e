/**
 * Faults around the settings page's saves, in a daemon running in this
 * process with a fake DuckDNS: a save while a cycle runs, a full disk and a
 * read-only mount under the config file, and a file edited by hand while the
 * page is open.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../src/commands/run.js';
import { loadConfig } from '../helpers/config.js';
import { PROVIDERS } from '../helpers/providers.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import type { Status } from '../../src/status.js';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { tempDir } from '../helpers/cli.js';
import { canMount, mountTmpfs } from '../helpers/tmpfs.js';
import { until } from '../helpers/wait.js';
import { record } from './report.js';

const TOKEN = 'faults-settings-duck-6c1d';
const PAGE_TOKEN = 'faults-settings-page-93ae';
const SECRETS = [TOKEN, PAGE_TOKEN];

describe('settings faults', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  let daemon: Daemon | undefined;
  const outputs: string[] = [];
  const mounts: string[] = [];

  beforeAll(async () => {
    echo = await startEcho('81.2.69.160');
    duck = await startDuckDns({ token: TOKEN, domains: ['office', 'lab', 'portal'], latencyMs: 400 });
  });
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  });
  afterAll(async () => {
    await Promise.all([echo.close(), duck.close()]);
  });

  const yaml = `# faults
interval: 1h
state: ../state.json
detect:
  ipv4: [${'ECHO'}/]
server:
  listen: 127.0.0.1:0
  auth: token
  token: ${PAGE_TOKEN}
providers:
  - type: duckdns
    token: ${TOKEN}
    endpoint: DUCK
    hosts: [office]
`;

  /** A 64 KiB tmpfs for the config file, unmounted after the test. */
  function tmpfsFolder(): string {
    const mount = join(tempDir(), 'etc');
    mkdirSync(mount);
    expect(mountTmpfs(mount, '64k')).toBe(true);
    mounts.push(mount);
    return mount;
  }

  async function start(dir: string): Promise<{ d: Daemon; file: string }> {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, yaml.replace('ECHO', echo.url).replace('DUCK', duck.url));
    const config = loadConfig({ providers: PROVIDERS, path: file, env: {}, cwd: dir });
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'info', redactor, write: (line) => outputs.push(line) });
    daemon = await startDaemon(config, { log, redactor, source: fileSource(file, { env: {}, cwd: dir }) });
    await daemon.loop.runNow().done;
    return { d: daemon, file };
  }
  async function call(d: Daemon, method: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${d.url}/api/config`, {
      method,
      headers: { authorization: `Bearer ${PAGE_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    outputs.push(text);
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  }
  const read = async (d: Daemon): Promise<{ yaml: string; etag: string; writable: boolean; reason: string | null }> =>
    (await call(d, 'GET')).json as { yaml: string; etag: string; writable: boolean; reason: string | null };
  const hosts = async (d: Daemon): Promise<string[]> =>
    ((await (await fetch(`${d.url}/api/status`, { headers: { authorization: `Bearer ${PAGE_TOKEN}` } })).json()) as Status).hosts.map((h) => h.host);

  it('a save while a cycle runs waits for the cycle, then applies: no overlap, the new host sent once', async () => {
    const { d } = await start(tempDir());
    const { yaml: text, etag } = await read(d);
    const before = duck.updates().length;
    // A new address: the cycle sends it and waits the provider's 400 ms; the save arrives in the middle of it.
    echo.answer = '81.2.69.161';
    const cycle = d.loop.runNow();
    let cycleEnded = Infinity;
    void cycle.done.then(() => (cycleEnded = performance.now()));
    // The provider has the request and holds its answer: the cycle is in flight.
    await until(() => duck.updates().length > before, 5000, 'the cycle to reach the provider');
    const saved = call(d, 'PUT', { yaml: text.replace('hosts: [office]', 'hosts: [office, portal]'), etag }).then((r) => ({ ...r, at: performance.now() }));
    await cycle.done;
    const answer = await saved;
    expect(answer.status).toBe(200);
    expect(answer.at).toBeGreaterThanOrEqual(cycleEnded);
    await until(async () => (await hosts(d)).includes('portal.duckdns.org'), 10_000, 'portal in the status');
    await d.loop.runNow().done;
    await until(() => duck.records.get('portal')?.ipv4 === '81.2.69.161', 10_000, 'portal updated');
    echo.answer = '81.2.69.160';
    const sent = duck.updates().slice(before);
    expect(sent.filter((r) => r.url.searchParams.get('domains')?.includes('portal')).length).toBe(1);
    record({
      area: 'Config',
      fault: 'a settings save while a cycle runs',
      expected: 'the reload waits for the cycle in flight, then applies; the new host is sent once',
      observed: `PUT 200 after the cycle ended; portal updated; ${sent.length} update requests (the cycle in flight, then portal)`,
      requests: `provider ${sent.length}`,
      outputs,
      secrets: SECRETS,
    });
  });

  it.skipIf(!canMount)('a full disk on save: a clear 500, the file and the running config unchanged, nothing half written; the next save works', async () => {
    const mount = tmpfsFolder();
    const { d, file } = await start(mount);
    const before = readFileSync(file, 'utf8');
    const { yaml: text, etag } = await read(d);
    try {
      writeFileSync(join(mount, 'filler'), Buffer.alloc(64 * 1024));
    } catch (error) {
      if (!(error as { code?: string }).code?.includes('ENOSPC')) throw error;
    }
    const full = await call(d, 'PUT', { yaml: text.replace('hosts: [office]', 'hosts: [office, lab]'), etag });
    expect(full.status).toBe(500);
    expect(full.json.error).toContain('the disk is full');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(mount).sort()).toEqual(['config.yaml', 'filler']);
    expect(await hosts(d)).toEqual(['office.duckdns.org']);
    rmSync(join(mount, 'filler'));
    const retried = await call(d, 'PUT', { yaml: text.replace('hosts: [office]', 'hosts: [office, lab]'), etag });
    expect(retried.status).toBe(200);
    await until(async () => (await hosts(d)).includes('lab.duckdns.org'), 10_000, 'lab in the status');
    record({
      area: 'Config',
      fault: 'a full disk when the settings page saves',
      expected: 'a clear error; the file, its folder and the running config unchanged; the next save works',
      observed: `PUT 500 "${String(full.json.error).replace(mount, '…')}"; no temp or backup left; after space was freed PUT 200 and applied`,
      requests: 'provider 0 from the failed save',
      outputs,
      secrets: SECRETS,
    });
  });

  it.skipIf(!canMount)('a read-only mount: the page says so and a save answers 403', async () => {
    const mount = tmpfsFolder();
    const { d, file } = await start(mount);
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const got = await read(d);
    expect(got.writable).toBe(false);
    expect(got.reason).toContain('read-only');
    const put = await call(d, 'PUT', { yaml: got.yaml, etag: got.etag });
    expect(put.status).toBe(403);
    expect(readFileSync(file, 'utf8')).toContain('hosts: [office]');
    execFileSync('mount', ['-o', 'remount,rw', mount]);
    record({
      area: 'Config',
      fault: 'the config file on a read-only mount',
      expected: 'the settings page shows a read-only view with the reason; a save answers 403',
      observed: `writable: false, "${String(got.reason).replace(mount, '…')}"; PUT 403`,
      requests: 'provider 0',
      outputs,
      secrets: SECRETS,
    });
  });

  it('a file edited by hand while the page is open: the save answers 409, the hand edit stays, a fresh read saves', async () => {
    const { d, file } = await start(tempDir());
    const { yaml: text, etag } = await read(d);
    writeFileSync(file, readFileSync(file, 'utf8').replace('interval: 1h', 'interval: 2h # by hand'));
    const stale = await call(d, 'PUT', { yaml: text.replace('hosts: [office]', 'hosts: [office, lab]'), etag });
    expect(stale.status).toBe(409);
    expect(readFileSync(file, 'utf8')).toContain('interval: 2h # by hand');
    const fresh = await read(d);
    expect(fresh.yaml).toContain('interval: 2h # by hand');
    const saved = await call(d, 'PUT', { yaml: fresh.yaml.replace('hosts: [office]', 'hosts: [office, lab]'), etag: fresh.etag });
    expect(saved.status).toBe(200);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('interval: 2h # by hand');
    expect(written).toContain(`token: ${TOKEN}`);
    record({
      area: 'Config',
      fault: 'the config file edited by hand while the settings page is open',
      expected: '409 on save, nothing written; after reading it again, a save keeps the hand edit',
      observed: 'PUT 409; the hand edit kept; a fresh GET and PUT 200 with both changes',
      requests: 'provider 0 from the refused save',
      outputs,
      secrets: SECRETS,
    });
  });
});
