import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactAgent } from '../../providers/dyndns2/index.js';
import { answerFailure, buildUpdateRequest, jsonAnswerLine, parseAnswers } from '../../providers/dyndns2/protocol.js';
import { SERVER_TROUBLE_PAUSE_MS } from '../../src/cycle/index.js';
import { USER_AGENT } from '../../src/base/version.js';
import { NOIP_AGENT, startDyndns2, type FakeDyndns2 } from '../fakes/dyndns2.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { runCli, tempDir, writeConfig } from '../helpers/cli.js';
import { startRuntime } from '../helpers/runtime.js';
import { until } from '../helpers/wait.js';
import { REQUESTS_AT_ONCE } from '../../providers/kit/results.js';

// Public addresses as data only: the fakes answer them, nothing contacts them.
const V4 = '81.2.69.160';
const V6 = '2a02:8010:1::1';
const V4_NEXT = '81.2.69.161';
const USER = 'office-admin@example.net';
const PASSWORD = 'noip-pass-5b1e9d77-secret';

describe('dyndns2 protocol', () => {
  it('builds one request for several hosts with both addresses and Basic auth', () => {
    const { url, headers } = buildUpdateRequest({ service: 'No-IP', endpoint: 'https://dynupdate.no-ip.com', username: 'u', password: 'p' }, ['a.ddns.net', 'b.ddns.net'], {
      ipv4: V4,
      ipv6: V6,
    });
    const u = new URL(url);
    expect(u.pathname).toBe('/nic/update');
    expect(u.searchParams.get('hostname')).toBe('a.ddns.net,b.ddns.net');
    expect(u.searchParams.get('myip')).toBe(`${V4},${V6}`);
    expect(headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('reads one line per host, and a single line as the answer for all', () => {
    expect(parseAnswers(`good ${V4}\nnochg ${V4}\n`, ['a', 'b'])).toEqual([
      { code: 'good', detail: V4 },
      { code: 'nochg', detail: V4 },
    ]);
    expect(parseAnswers('badauth', ['a', 'b'])).toEqual([
      { code: 'badauth', detail: '' },
      { code: 'badauth', detail: '' },
    ]);
    expect(parseAnswers('911', ['a', 'b'])[1]?.code).toBe('911');
    // A lone line about one host cannot say which host it is about.
    expect(parseAnswers(`good ${V4}\r\n`, ['a', 'b'])[1]).toBeUndefined();
    expect(parseAnswers('nohost', ['a', 'b'])[1]).toBeUndefined();
    expect(parseAnswers(`good ${V4}\nnochg ${V4}\n`, ['a', 'b', 'c'])[2]).toBeUndefined();
  });

  it.each([
    ['nohost', 'fatal'],
    ['badauth', 'auth'],
    ['badagent', 'fatal'],
    ['!donator', 'fatal'],
    ['abuse', 'fatal'],
    ['notfqdn', 'fatal'],
    ['numhost', 'fatal'],
    ['911', 'server'],
    ['dnserr', 'server'],
    ['<html>', 'bad-response'],
  ])('maps %s to a %s failure', (code, kind) => {
    const error = answerFailure({ code, detail: '' }, 'a.ddns.net', 'No-IP');
    expect(error?.kind).toBe(kind);
    expect(error?.message).toContain('a.ddns.net');
    if (kind === 'server') expect(error?.retryAfterMs).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it('reads a JSON answer by its info, and anything else as it came', () => {
    expect(jsonAnswerLine('{"info":"good","status":"success"}')).toBe('good');
    expect(jsonAnswerLine('{"info":"badauth","status":"error"}')).toBe('badauth');
    expect(jsonAnswerLine(`good ${V4}`)).toBe(`good ${V4}`);
    expect(jsonAnswerLine('911')).toBe('911');
    expect(jsonAnswerLine('{"status":"success"}')).toBe('{"status":"success"}');
  });

  it('sends a User-Agent naming ddnsd, its version and a contact', () => {
    expect(USER_AGENT).toMatch(/^ddnsd\/\d+\.\d+\.\d+ https:\/\/\S+$/);
  });
});

describe('No-IP and dyndns2 adapters against a local dyndns2 server', () => {
  let v4a: EchoServer;
  let v4b: EchoServer;
  let v6a: EchoServer;
  let v6b: EchoServer;
  let dyn: FakeDyndns2;

  beforeEach(async () => {
    [v4a, v4b, v6a, v6b] = await Promise.all([startEcho(V4), startEcho(V4), startEcho(V6, '::1'), startEcho(V6, '::1')]);
    dyn = await startDyndns2({ username: USER, password: PASSWORD, hosts: ['office.ddns.net', 'lab.ddns.net'] });
  });
  afterEach(async () => {
    await Promise.all([v4a, v4b, v6a, v6b, dyn].map((s) => s.close()));
  });

  const config = (entry: string, ipv6 = true) => `state: ./state.json
detect:
  ipv4: ["${v4a.url}/", "${v4b.url}/"]
  ipv6: ${ipv6 ? `["${v6a.url}/", "${v6b.url}/"]` : '[]'}
  timeout: 2s
providers:
${entry}`;
  const noip = (extra = '', hosts = '[office.ddns.net, lab.ddns.net]') => `  - type: noip
    endpoint: ${dyn.url}
    username: \${NOIP_USERNAME}
    password: \${NOIP_PASSWORD}
    hosts: ${hosts}
${extra}`;
  const env = { NOIP_USERNAME: USER, NOIP_PASSWORD: PASSWORD };

  it('updates A and AAAA of several hosts in one request, then sends nothing while the address stays', async () => {
    const t = await startRuntime(config(noip()), env);
    const report = await t.cycle();
    expect(dyn.updates()).toHaveLength(1);
    const req = dyn.updates()[0];
    expect(req?.url.searchParams.get('hostname')).toBe('office.ddns.net,lab.ddns.net');
    expect(req?.url.searchParams.get('myip')).toBe(`${V4},${V6}`);
    expect(req?.headers['user-agent']).toBe(USER_AGENT);
    expect(dyn.records.get('office.ddns.net')).toEqual({ ipv4: V4, ipv6: V6 });
    expect(dyn.records.get('lab.ddns.net')).toEqual({ ipv4: V4, ipv6: V6 });
    expect(report.ok).toBe(true);
    expect(report.hosts.map((h) => `${h.host} ${h.family} ${h.action}`)).toEqual([
      'lab.ddns.net ipv4 updated',
      'lab.ddns.net ipv6 updated',
      'office.ddns.net ipv4 updated',
      'office.ddns.net ipv6 updated',
    ]);

    t.clock.advance(5 * 60_000);
    const second = await t.cycle();
    expect(dyn.updates()).toHaveLength(1);
    expect(second.hosts.every((h) => h.action === 'current')).toBe(true);

    // A new IPv4 address: one request again, still with both families.
    [v4a.answer, v4b.answer] = [V4_NEXT, V4_NEXT];
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(dyn.updates()).toHaveLength(2);
    expect(dyn.updates()[1]?.url.searchParams.get('myip')).toBe(`${V4_NEXT},${V6}`);
    expect(dyn.records.get('lab.ddns.net')?.ipv4).toBe(V4_NEXT);

    const everything = JSON.stringify(t.runtime.status()) + t.logs.join('');
    expect(everything).not.toContain(PASSWORD);
    await t.runtime.close();
  });

  it('the generic dyndns2 type needs an endpoint and sends to it', async () => {
    const generic = `  - type: dyndns2
    endpoint: ${dyn.url}
    username: ${USER}
    password: ${PASSWORD}
    hosts: [office.ddns.net]
`;
    const t = await startRuntime(config(generic), {});
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(dyn.updates()).toHaveLength(1);
    expect(dyn.records.get('office.ddns.net')).toEqual({ ipv4: V4, ipv6: V6 });
    await t.runtime.close();
    await expect(startRuntime(config(generic.replace(/ {4}endpoint: .*\n/, '')))).rejects.toThrow(/providers\[0\]\.endpoint \(line \d+\): missing: the URL of the dyndns2 server/);
    // The full update URL, as some providers' help pages give it, works too.
    const full = await startRuntime(config(generic.replace(dyn.url, `${dyn.url}/nic/update`)), {});
    expect(full.runtime.config.providers[0]?.settings.endpoint).toBe(dyn.url);
    await full.runtime.close();
  });

  it('reads the password from a file (password_file), as Docker secrets provide it', async () => {
    const secretFile = join(tempDir(), 'noip-password');
    writeFileSync(secretFile, `${PASSWORD}\n`);
    const t = await startRuntime(config(noip().replace('password: ${NOIP_PASSWORD}', `password_file: ${secretFile}`)), { NOIP_USERNAME: USER });
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(dyn.updates()[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    await t.runtime.close();
  });

  it('leaves a family alone when the entry turns it off or its detection fails', async () => {
    const t = await startRuntime(config(noip('    ipv6: false\n')), env);
    await t.cycle();
    expect(dyn.updates()[0]?.url.searchParams.get('myip')).toBe(V4);
    expect(dyn.records.get('office.ddns.net')).toEqual({ ipv4: V4 });
    await t.runtime.close();

    v6a.status = 500;
    v6b.status = 500;
    [v4a.answer, v4b.answer] = [V4_NEXT, V4_NEXT];
    const u = await startRuntime(config(noip('', '[lab.ddns.net]')), env);
    const report = await u.cycle();
    expect(dyn.updates()[1]?.url.searchParams.get('myip')).toBe(V4_NEXT);
    expect(dyn.records.get('lab.ddns.net')).toEqual({ ipv4: V4_NEXT });
    expect(report.hosts.find((h) => h.family === 'ipv6')?.action).toBe('skipped');
    expect(report.hosts.find((h) => h.family === 'ipv4')?.action).toBe('updated');
    await u.runtime.close();
  });

  it.each(['nohost', 'badagent', '!donator', 'abuse', 'notfqdn'])('an answer of %s needs attention for that host only and is never retried', async (code) => {
    dyn.answers.set('lab.ddns.net', code);
    const t = await startRuntime(config(noip()), env);
    const report = await t.cycle();
    expect(dyn.updates()).toHaveLength(1);
    const lab = report.hosts.filter((h) => h.host === 'lab.ddns.net');
    expect(lab.map((h) => h.action)).toEqual(['needs-attention', 'needs-attention']);
    expect(lab[0]?.message).toContain(code);
    expect(report.hosts.filter((h) => h.host === 'office.ddns.net').map((h) => h.action)).toEqual(['updated', 'updated']);
    expect(t.runtime.status().hosts.find((h) => h.host === 'lab.ddns.net')?.status).toBe('needs-attention');

    // A day later, with the address changed, the host is still left alone.
    t.clock.advance(24 * 3600_000);
    [v4a.answer, v4b.answer] = [V4_NEXT, V4_NEXT];
    await t.cycle();
    expect(dyn.updates()).toHaveLength(2);
    expect(dyn.updates()[1]?.url.searchParams.get('hostname')).toBe('office.ddns.net');
    await t.runtime.close();
  });

  it('a wrong password needs attention for every host, with no retry and no password in any message', async () => {
    const t = await startRuntime(config(noip()), { ...env, NOIP_PASSWORD: 'wrong-pass-c0ffee-1234' });
    const report = await t.cycle();
    expect(dyn.updates()).toHaveLength(1);
    expect(report.hosts.every((h) => h.action === 'needs-attention')).toBe(true);
    expect(report.hosts[0]?.message).toMatch(/answered badauth for \S+: the username or password is wrong/);
    t.clock.advance(24 * 3600_000);
    await t.cycle();
    expect(dyn.updates()).toHaveLength(1);
    const everything = JSON.stringify(t.runtime.status()) + t.logs.join('') + JSON.stringify(report);
    expect(everything).not.toContain('wrong-pass-c0ffee-1234');
    await t.runtime.close();
  });

  it('No-IP: with contact_email the User-Agent takes the form No-IP asks for, and No-IP accepts it', async () => {
    await dyn.close();
    dyn = await startDyndns2({ username: USER, password: PASSWORD, hosts: ['office.ddns.net', 'lab.ddns.net'], agent: NOIP_AGENT });
    const t = await startRuntime(config(noip('    contact_email: admin@example.net\n')), env);
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(dyn.updates()[0]?.headers['user-agent']).toBe(contactAgent('admin@example.net'));
    expect(dyn.updates()[0]?.headers['user-agent']).toMatch(NOIP_AGENT);
    await t.runtime.close();
  });

  it('No-IP: without contact_email ddnsd warns once at start, naming the setting', async () => {
    const t = await startRuntime(config(noip()), env);
    expect(t.logs.filter((l) => l.includes('contact_email'))).toHaveLength(1);
    const entry = t.runtime.config.providers[0];
    expect(entry?.definition.advice?.(entry.settings)).toEqual([expect.stringContaining('add contact_email:')]);
    await t.cycle();
    expect(t.logs.filter((l) => l.includes('contact_email'))).toHaveLength(1);
    await t.runtime.close();
  });

  it('No-IP: `ddnsd check` warns about a missing contact_email and still says the config is valid', async () => {
    const dir = tempDir();
    writeConfig(dir, config(noip()));
    const result = await runCli(['check'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: providers\[0\]: No-IP asks every client to name a contact.*add contact_email:/);
    writeConfig(dir, config(noip('    contact_email: admin@example.net\n')));
    const quiet = await runCli(['check'], { cwd: dir, env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('contact_email');
  });

  it('No-IP: more than 20 hosts go in requests of at most 20, as the protocol caps them', async () => {
    const hosts = Array.from({ length: 25 }, (_, i) => `h${i}.ddns.net`);
    await dyn.close();
    dyn = await startDyndns2({ username: USER, password: PASSWORD, hosts });
    const t = await startRuntime(config(noip('', `[${hosts.join(', ')}]`), false), env);
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(dyn.updates().map((r) => (r.url.searchParams.get('hostname') ?? '').split(',').length)).toEqual([20, 5]);
    await t.runtime.close();
  });

  it('No-IP: after the first batch is answered, the rest go 4 at a time, and a refused credential stops them all', async () => {
    const hosts = Array.from({ length: 130 }, (_, i) => `h${i}.ddns.net`);
    await dyn.close();
    dyn = await startDyndns2({ username: USER, password: PASSWORD, hosts });
    const t = await startRuntime(config(noip('', `[${hosts.join(', ')}]`), false), env);
    dyn.hold();
    const cycle = t.cycle();
    await until(() => dyn.held() === 1, 10_000, 'the first batch');
    expect(dyn.updates()).toHaveLength(1);
    dyn.release();
    dyn.hold();
    // Six batches remain; four are sent at once and the others wait for an answer.
    await until(() => dyn.held() === REQUESTS_AT_ONCE, 10_000, 'four batches in flight');
    expect(dyn.updates()).toHaveLength(1 + REQUESTS_AT_ONCE);
    dyn.release();
    const report = await cycle;
    expect(report.ok).toBe(true);
    expect(dyn.updates().map((r) => (r.url.searchParams.get('hostname') ?? '').split(',').length)).toEqual([20, 20, 20, 20, 20, 20, 10]);
    expect(dyn.maxInFlight()).toBe(REQUESTS_AT_ONCE);
    await t.runtime.close();

    // The same 130 hosts with a refused credential: one request, not seven.
    const refused = await startRuntime(config(noip('', `[${hosts.join(', ')}]`), false), { ...env, NOIP_PASSWORD: 'wrong-password' });
    const before = dyn.updates().length;
    const denied = await refused.cycle();
    expect(dyn.updates().length - before).toBe(1);
    expect(denied.hosts.filter((h) => h.action === 'needs-attention')).toHaveLength(130);
    expect(denied.hosts[129]?.message).toContain('badauth');
    await refused.runtime.close();

    // Trouble on the service's side (911) pauses all 130 after one request, too.
    for (const h of hosts) dyn.answers.set(h, '911');
    const troubled = await startRuntime(config(noip('', `[${hosts.join(', ')}]`), false), env);
    const sent = dyn.updates().length;
    const paused = await troubled.cycle();
    expect(dyn.updates().length - sent).toBe(1);
    expect(paused.hosts.every((h) => h.action === 'failed')).toBe(true);
    expect(troubled.runtime.state.hosts['noip h129.ddns.net ipv4']?.errorKind).toBe('server');
    await troubled.runtime.close();
  });

  it('numhost (too many hosts in one request) needs attention', async () => {
    await dyn.close();
    dyn = await startDyndns2({ username: USER, password: PASSWORD, hosts: ['office.ddns.net', 'lab.ddns.net'], maxHosts: 1 });
    const t = await startRuntime(config(noip()), env);
    const report = await t.cycle();
    expect(report.hosts.every((h) => h.action === 'needs-attention' && h.message?.includes('numhost'))).toBe(true);
    await t.runtime.close();
  });

  it.each(['911', 'dnserr'])('after %s no request is sent for 30 minutes', async (code) => {
    dyn.answers.set('office.ddns.net', code);
    dyn.answers.set('lab.ddns.net', code);
    const t = await startRuntime(config(noip()), env);
    const report = await t.cycle();
    expect(dyn.updates()).toHaveLength(1); // not retried within the cycle either
    expect(report.hosts.every((h) => h.action === 'failed')).toBe(true);
    const state = t.runtime.state.hosts['noip office.ddns.net ipv4'];
    expect(state?.errorKind).toBe('server');
    expect((state?.retryAt ?? 0) - t.clock.now()).toBeGreaterThanOrEqual(SERVER_TROUBLE_PAUSE_MS);

    dyn.answers.clear();
    t.clock.advance(SERVER_TROUBLE_PAUSE_MS - 60_000);
    const paused = await t.cycle();
    expect(paused.hosts.every((h) => h.action === 'paused')).toBe(true);
    expect(dyn.updates()).toHaveLength(1);

    t.clock.advance(60_000);
    const resumed = await t.cycle();
    expect(dyn.updates()).toHaveLength(2);
    expect(resumed.hosts.every((h) => h.action === 'updated')).toBe(true);
    await t.runtime.close();
  });

  it('does not take a success answer that names another address as confirmation', async () => {
    dyn.failNext(1, 200, 'good 81.2.69.1\n');
    const t = await startRuntime(config(noip('', '[office.ddns.net]')), env);
    const report = await t.cycle();
    const v4 = report.hosts.find((h) => h.family === 'ipv4');
    expect(v4?.action).toBe('failed');
    expect(v4?.message).toContain(`names 81.2.69.1, not the IPv4 address ${V4}`);
    expect(t.runtime.state.hosts['noip office.ddns.net ipv4']?.address).toBeUndefined();
    await t.runtime.close();
  });

  it('retries HTTP 5xx within the cycle and reports an unexpected answer as a failure to retry later', async () => {
    dyn.failNext(2, 503, 'unavailable');
    const t = await startRuntime(config(noip()), env);
    const report = await t.cycle();
    expect(dyn.updates()).toHaveLength(3);
    expect(report.ok).toBe(true);
    await t.runtime.close();

    dyn.failNext(1, 200, '<html>maintenance</html>');
    [v4a.answer, v4b.answer] = [V4_NEXT, V4_NEXT];
    const u = await startRuntime(config(noip()), env);
    const bad = await u.cycle();
    expect(dyn.updates()).toHaveLength(4);
    expect(bad.hosts.every((h) => h.action === 'failed' && h.message?.includes('unexpected answer'))).toBe(true);
    expect(u.runtime.state.hosts['noip lab.ddns.net ipv4']?.errorKind).toBe('bad-response');
    await u.runtime.close();
  });
});
