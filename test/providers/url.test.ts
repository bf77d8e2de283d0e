import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROVIDERS } from '../helpers/providers.js';
import { loadConfig } from '../helpers/config.js';
import { ConfigError } from '../../src/base/errors.js';
import { secretParts } from '../../providers/url/template.js';
import { startUrlService, urlEntry, type FakeUrlService } from '../fakes/url.js';
import { startCli, tempDir, writeConfig } from '../helpers/cli.js';
import { freePort } from '../helpers/port.js';
import { until } from '../helpers/wait.js';
import { ADDRESS, providerCases, startEchoes, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';

const TOKEN = 'url-token-77c3e1d0';
const HOST = 'office.example.org';

providerCases({
  type: 'url',
  saysUnchanged: true,
  async start() {
    const fake = await startUrlService({ token: TOKEN, hosts: [HOST] });
    const record = () => fake.records.get(HOST) ?? {};
    return {
      server: fake,
      entry: (o = {}) => urlEntry(fake, o.credentials === 'wrong' ? 'wrong-token' : TOKEN, o.hosts ?? [HOST]),
      unknownHost: 'ghost.example.org',
      updates: () => fake.updates(),
      record: (family) => record()[family],
      setRecord: (family, address) => {
        record()[family] = address;
      },
      rateLimitNext: (seconds) => fake.rateLimitNext(seconds),
    };
  },
});

describe('url quirks', () => {
  let echoes: Echoes;
  let fake: FakeUrlService;
  beforeAll(async () => {
    echoes = await startEchoes();
    fake = await startUrlService({ token: TOKEN, hosts: [HOST, 'lab.example.org'] });
  });
  afterAll(async () => Promise.all([echoes.close(), fake.close()]));
  afterEach(() => fake.requests.splice(0));

  const check = (entry: Record<string, unknown>) => {
    const dir = tempDir();
    return () => loadConfig({ providers: PROVIDERS, path: writeConfig(dir, echoes.config(entry)), env: {}, cwd: dir });
  };

  it('sends one request per host and family for {host} and {ip}, and never shows the URL', async () => {
    const t = await startRuntime(echoes.config(urlEntry(fake, TOKEN, [HOST, 'lab.example.org'])));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(fake.updates().map((r) => `${r.url.searchParams.get('host')} ${r.url.searchParams.get('ip')}`)).toEqual([
      `${HOST} ${ADDRESS.ipv4}`,
      `${HOST} ${ADDRESS.ipv6}`,
      `lab.example.org ${ADDRESS.ipv4}`,
      `lab.example.org ${ADDRESS.ipv6}`,
    ]);
    fake.misbehaveNext(1, { kind: 'answer', status: 200, body: 'maintenance' });
    echoes.ipv4.answer = '81.2.69.170';
    t.clock.advance(10 * 60_000);
    const failed = await t.cycle();
    echoes.ipv4.answer = ADDRESS.ipv4;
    const everything = JSON.stringify(failed) + JSON.stringify(t.runtime.status()) + t.logs.join('');
    expect(everything).toContain('the update URL http://127.0.0.1');
    expect(everything).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('fills {ipv4} and {ipv6} in one request, and a POST body', async () => {
    const entry = { ...urlEntry(fake, TOKEN, [HOST]), url: `${fake.url}/update/${TOKEN}?host=${HOST}&ip={ipv4}`, method: 'POST', body: 'v6={ipv6}' };
    const t = await startRuntime(echoes.config(entry));
    await t.cycle();
    const req = fake.updates()[0];
    expect([req?.method, req?.url.searchParams.get('ip'), req?.body]).toEqual(['POST', ADDRESS.ipv4, `v6=${ADDRESS.ipv6}`]);
    expect(fake.updates()).toHaveLength(1);
    await t.runtime.close();
  });

  it('refuses a template that cannot carry a family asked for, an unknown placeholder, a bad pattern and plain http', () => {
    const base = urlEntry(fake, TOKEN, [HOST]);
    expect(check({ ...base, url: `${fake.url}/update/${TOKEN}?ip={ipv4}`, ipv6: true })).toThrow(/providers\[0\]\.ipv6.*no \{ipv6\} or \{ip\}/);
    expect(check({ ...base, url: `${fake.url}/update/${TOKEN}?ip={address}` })).toThrow(/unknown placeholder \{address\}/);
    expect(check({ ...base, success: '(' })).toThrow(/providers\[0\]\.success.*not a regular expression/);
    expect(check({ ...base, url: `http://updates.example.org/update/${TOKEN}?ip={ip}` })).toThrow(ConfigError);
    try {
      check({ ...base, url: `http://updates.example.org/update/${TOKEN}?ip={ip}` })();
    } catch (error) {
      expect(String(error)).toMatch(/must start with https/);
      expect(String(error)).not.toContain(TOKEN);
    }
  });

  it('a template with {ipv4} only updates IPv4 alone, whatever is detected', async () => {
    const t = await startRuntime(echoes.config({ ...urlEntry(fake, TOKEN, [HOST]), url: `${fake.url}/update/${TOKEN}?host={host}&ip={ipv4}` }));
    const report = await t.cycle();
    expect(report.hosts.map((h) => h.family)).toEqual(['ipv4']);
    await t.runtime.close();
  });
});

describe('the secret parts of a URL template', () => {
  it('are the credentials, and the path segments and query values that look like tokens, not the words around them', () => {
    expect(secretParts('https://ydns.io/api/v1/update/?host={host}&ip={ip}')).toEqual([]);
    expect(secretParts('https://sync.example.net/u/Ab3dE5gH7jK9/?ip={ip}&format=json')).toEqual(['Ab3dE5gH7jK9']);
    expect(secretParts('https://carol.selfhost.de/nic/update?username=carol&password=hunter2&myip={ip}')).toEqual(['hunter2']);
    expect(secretParts('https://user:s3cretpass@dyn.example.net/nic/update?hostname={host}&key=k%2By9&ip={ip}')).toEqual(['s3cretpass', 'k%2By9', 'k+y9']);
    expect(secretParts('https://x.example.net/set/{host}-0123456789abcdef0123/{ip}')).toEqual(['-0123456789abcdef0123']);
    expect(secretParts('token=abcdefghij&ip={ip}', true)).toEqual(['abcdefghij']);
  });
});

describe('the url provider never shows its token', () => {
  const PATH_TOKEN = 'pathtoken7f3a91c2e5';
  const QUERY_TOKEN = 'querytoken4b8d06a1f9';
  const CLOSED_TOKEN = 'closedtoken2c9e58d7b3';

  it('keeps a token in the path or the query out of stdout, stderr, /api/status, the page and state.json, even when the answer echoes it', async () => {
    const echoes = await startEchoes();
    const inPath = await startUrlService({ token: PATH_TOKEN, hosts: [HOST], echoErrors: true });
    const inQuery = await startUrlService({ token: QUERY_TOKEN, hosts: ['lab.example.org'], tokenIn: 'query', echoErrors: true });
    // Nothing listens here: the network error's message is one more place a URL shows.
    const closed = await freePort();
    const entries = [
      { ...urlEntry(inPath, PATH_TOKEN, [HOST, 'ghost.example.org']), timeout: '2s' },
      {
        type: 'url',
        url: `${inQuery.url}/update?token=${QUERY_TOKEN}&host={host}&ip={ip}`,
        success: '^good ',
        unchanged: '^nochg ',
        hosts: ['lab.example.org', 'phantom.example.org'],
        timeout: '2s',
      },
      { type: 'url', url: `http://127.0.0.1:${closed}/update/${CLOSED_TOKEN}?host={host}&ip={ip}`, success: '^good ', hosts: ['gone.example.org'], timeout: '2s' },
    ];
    const dir = tempDir();
    const detect = { ipv4: [echoes.ipv4.url], ipv6: [echoes.ipv6.url], agree: 1, timeout: '2s' };
    writeConfig(dir, stringify({ state: './state.json', detect, server: { listen: '127.0.0.1:0' }, providers: entries }));
    const cli = startCli(['run'], { cwd: dir, env: { LOG_LEVEL: 'debug' } });
    try {
      const [, url] = await cli.waitFor(/Status page on (http:\/\/127\.0\.0\.1:\d+)\//);
      let status = '';
      await until(
        async () => {
          status = await (await fetch(`${url}/api/status`)).text();
          return (JSON.parse(status) as { hosts: { status: string }[] }).hosts.every((h) => h.status !== 'pending');
        },
        20_000,
        'every host to be tried',
      );
      const page = await (await fetch(`${url}/`)).text();
      const rows = (JSON.parse(status) as { hosts: { host: string; status: string; lastError: string | null }[] }).hosts;
      const row = (host: string) => rows.find((h) => h.host === host);
      // The echoed answers are failures ddnsd could read only as unexpected: the messages name the origin, and the echo is redacted.
      expect(row('ghost.example.org')).toMatchObject({ status: 'failing', lastError: expect.stringContaining(`the update URL ${inPath.url}/…`) });
      expect(row('ghost.example.org')?.lastError).toContain('[redacted]');
      expect(row('phantom.example.org')?.lastError).toContain('[redacted]');
      expect(row('gone.example.org')?.lastError).toContain(`127.0.0.1:${closed}/…`);
      expect(row(HOST)?.status).toBe('ok');
      expect(row('lab.example.org')?.status).toBe('ok');
      expect(inPath.updates().length + inQuery.updates().length).toBeGreaterThanOrEqual(4);
      cli.kill('SIGTERM');
      await cli.exited;
      const outputs = { stdout: cli.stdout(), stderr: cli.stderr(), status, page, state: readFileSync(join(dir, 'state.json'), 'utf8') };
      expect(outputs.stderr).toContain('ghost.example.org');
      for (const [name, text] of Object.entries(outputs)) {
        for (const token of [PATH_TOKEN, QUERY_TOKEN, CLOSED_TOKEN]) expect(text.includes(token), `${token} in ${name}`).toBe(false);
      }
    } finally {
      cli.kill('SIGKILL');
      await Promise.all([echoes.close(), inPath.close(), inQuery.close()]);
    }
  });
});
