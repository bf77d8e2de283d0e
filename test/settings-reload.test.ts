/**
 * Applying a config without a restart, in a real `ddnsd run` child: SIGHUP
 * reads the file again (a new host is sent at once, a removed one forgotten);
 * an invalid file keeps the running config and the log says why. A save that
 * changes the server section rebuilds the status server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { startCli, tempDir, writeConfig, type RunningCli } from './helpers/cli.js';
import { statusDaemonYaml } from './helpers/config-yaml.js';
import { until } from './helpers/wait.js';
import type { Status } from '../src/status.js';

const TOKEN = 'duck-secret-hup-62f0a9d1';
const PAGE_TOKEN = 'page-secret-hup-0c31e8b7';

describe('reloading the config of a running daemon', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  let cli: RunningCli | undefined;

  const config = (hosts: string, extra = ''): string => `${statusDaemonYaml([echo.url])}  auth: token
  token: ${PAGE_TOKEN}
${extra}providers:
  - type: duckdns
    token: \${DUCK_TOKEN}
    endpoint: ${duck.url}
    hosts: [${hosts}]
`;

  beforeEach(async () => {
    echo = await startEcho('81.2.69.160');
    duck = await startDuckDns({ token: TOKEN, domains: ['office', 'lab'] });
  });
  afterEach(async () => {
    cli?.kill('SIGTERM');
    await cli?.exited;
    cli = undefined;
    await Promise.all([echo.close(), duck.close()]);
  });

  const status = async (url: string): Promise<Status> => (await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${PAGE_TOKEN}` } })).json() as Promise<Status>;

  it('SIGHUP applies a valid file at once and keeps the running config when the file is invalid', async () => {
    const dir = tempDir();
    writeConfig(dir, config('office'));
    cli = startCli(['run'], { cwd: dir, env: { DUCK_TOKEN: TOKEN } });
    const [, url = ''] = await cli.waitFor(/Status page on (http:\/\/127\.0\.0\.1:\d+)\//);
    await until(async () => (await status(url)).hosts.every((h) => h.status === 'ok'), 10_000, 'the first cycle');
    expect((await status(url)).config?.from).toBe('start');

    // An invalid file: logged, the running config stays, nothing sent.
    const before = duck.updates().length;
    writeConfig(dir, config('office, lab').replace('interval: 1h', 'interval: whenever'));
    cli.kill('SIGHUP');
    await cli.waitFor(/SIGHUP: the config file is not applied, the running config stays: .*interval/);
    const kept = await status(url);
    expect(kept.hosts.map((h) => h.host)).toEqual(['office.duckdns.org']);
    expect(kept.config?.from).toBe('start');
    expect(duck.updates().length).toBe(before);

    // A valid file: the new host is sent at once, the removed one leaves the status and the state.
    writeConfig(dir, config('lab'));
    cli.kill('SIGHUP');
    await until(async () => (await status(url)).hosts.some((h) => h.host === 'lab.duckdns.org' && h.status === 'ok'), 10_000, 'lab to be updated');
    const after = await status(url);
    expect(after.hosts.map((h) => h.host)).toEqual(['lab.duckdns.org']);
    expect(after.config?.from).toBe('SIGHUP');
    expect(duck.records.get('lab')?.ipv4).toBe('81.2.69.160');
    expect(duck.updates().length).toBe(before + 1);
    await until(() => !readFileSync(join(dir, 'state.json'), 'utf8').includes('office.duckdns.org'), 10_000, 'the removed host to leave the state');
    expect(cli.stderr()).not.toContain(TOKEN);
  });

  it('a save that changes the server section rebuilds the status server with the new settings', async () => {
    const dir = tempDir();
    const file = writeConfig(dir, config('office'));
    cli = startCli(['run'], { cwd: dir, env: { DUCK_TOKEN: TOKEN } });
    const [, url = ''] = await cli.waitFor(/Status page on (http:\/\/127\.0\.0\.1:\d+)\//);
    const auth = { authorization: `Bearer ${PAGE_TOKEN}`, 'content-type': 'application/json' };
    const got = (await (await fetch(`${url}/api/config`, { headers: auth })).json()) as { yaml: string; etag: string };
    const moved = got.yaml.replace('  token: "(kept secret server.token)"\n', '  token: "(kept secret server.token)"\n  public_read: true\n');
    const put = await fetch(`${url}/api/config`, { method: 'PUT', headers: auth, body: JSON.stringify({ yaml: moved, etag: got.etag }) });
    expect(put.status).toBe(200);
    // listen is 127.0.0.1:0: the new server gets a new port, and the old one is closed.
    const [, next = ''] = await cli.waitFor(/Status page on (http:\/\/127\.0\.0\.1:\d+)\/ \(server settings applied\)/);
    await expect(fetch(`${url}/api/status`)).rejects.toThrow();
    // public_read: true now applies: the status reads without a sign-in.
    const open = await fetch(`${next}/api/status`);
    expect(open.status).toBe(200);
    expect(((await open.json()) as Status).config?.from).toBe('save');
    expect(readFileSync(file, 'utf8')).toContain(`token: ${PAGE_TOKEN}\n  public_read: true`);
  });
});
