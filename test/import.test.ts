import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatOf, importConfig } from '../src/import/index.js';
import { readDdclient } from '../src/import/ddclient.js';
import { runCli, tempDir } from './helpers/cli.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/import');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const imported = (name: string) => {
  const text = fixture(name);
  return importConfig(text, formatOf(text, undefined, name));
};

describe("ddnsd import: the formats, from their projects' own examples (fixtures/import/SOURCES.md)", () => {
  it('detects each format without --from', () => {
    const formats = Object.fromEntries(
      readdirSync(FIXTURES)
        .filter((f) => f !== 'SOURCES.md')
        .map((f) => [f, formatOf(fixture(f), undefined, f).name]),
    );
    expect(formats).toEqual({
      'ddns-updater-cloudflare.json': 'ddns-updater',
      'ddns-updater-duckdns.json': 'ddns-updater',
      'ddns-updater-namecheap.json': 'ddns-updater',
      'favonia.env': 'favonia',
      'inadyn-cloudflare.conf': 'inadyn',
      'inadyn-custom.conf': 'inadyn',
      'inadyn-duckdns.conf': 'inadyn',
      'inadyn-dyndns.conf': 'inadyn',
      'noip-duc.env': 'noip-duc',
    });
  });

  it('inadyn: the period, DuckDNS (token as username), Cloudflare (zone as username, two family sections as one entry), custom Namecheap', () => {
    expect(imported('inadyn-duckdns.conf')).toMatchObject({ interval: '30m', providers: [{ type: 'duckdns', token: '${DUCKDNS_TOKEN}', hosts: ['YOUR_DOMAIN.duckdns.org'] }] });
    expect(imported('inadyn-duckdns.conf').secrets.get('DUCKDNS_TOKEN')).toBe('YOUR_TOKEN');
    const cf = imported('inadyn-cloudflare.conf');
    expect(cf.providers).toEqual([{ type: 'cloudflare', token: '${CLOUDFLARE_API_TOKEN}', hosts: ['hostname.zone.name'], zone: 'zone.name', ttl: 1, proxied: false }]);
    expect(cf.detect).toEqual({ ipv4: ['https://1.1.1.1/cdn-cgi/trace'], ipv6: ['https://dns64.cloudflare-dns.com/cdn-cgi/trace'] });
    expect(cf.secrets.get('CLOUDFLARE_API_TOKEN')).toBe('api_token');
    expect(imported('inadyn-custom.conf').providers).toEqual([
      { type: 'namecheap', domain: 'YOURDOMAIN.TLD', password: '${NAMECHEAP_PASSWORD}', hosts: ['YOURDOMAIN.TLD', 'www.YOURDOMAIN.TLD', 'test.YOURDOMAIN.TLD'] },
    ]);
    expect(imported('inadyn-dyndns.conf').providers[0]).toMatchObject({ type: 'dyndns2', endpoint: 'https://members.dyndns.org', hosts: ['example.dyndns.org'] });
  });

  it("inadyn custom sections as url entries, filled in as inadyn's generic plugin does; one without %i is told, not guessed", () => {
    const text =
      'custom ydns {\n  username = me\n  password = "pw 1"\n  ddns-server = ydns.io\n  ddns-path = "/api/v1/update/?host=%h&ip=%i"\n  ddns-response = { ok, nochg }\n  hostname = { a.ydns.eu, b.ydns.eu }\n}\ncustom old {\n  ddns-server = update.example.com\n  ddns-path = "/update?hostname="\n  hostname = c.example.net\n}\n';
    const out = importConfig(text, formatOf(text, undefined, 'inadyn.conf'));
    expect(out.providers).toEqual([
      {
        type: 'url',
        url: 'https://ydns.io/api/v1/update/?host={host}&ip={ip}',
        success: 'ok|nochg',
        hosts: ['a.ydns.eu', 'b.ydns.eu'],
        username: 'me',
        password: '${YDNS_PASSWORD}',
      },
    ]);
    expect(out.secrets.get('YDNS_PASSWORD')).toBe('pw 1');
    expect(out.skipped[0]?.setting).toBe('custom old');
    expect(out.skipped[0]?.why).toContain('url: https://update.example.com/update?hostname={host}&…={ip}');
  });

  it('ddns-updater: settings[] with ip_version; a zone_identifier that is not one is told, not carried', () => {
    expect(imported('ddns-updater-duckdns.json').providers).toEqual([{ type: 'duckdns', token: '${DUCKDNS_TOKEN}', hosts: ['sub.duckdns.org'], ipv4: true, ipv6: false }]);
    const cf = imported('ddns-updater-cloudflare.json');
    expect(cf.providers).toEqual([{ type: 'cloudflare', token: '${CLOUDFLARE_API_TOKEN}', hosts: ['domain.com'], ttl: 600, ipv4: true, ipv6: false }]);
    expect(cf.skipped.map((s) => s.setting)).toContain('zone id some id');
    expect(imported('ddns-updater-namecheap.json').secrets.get('NAMECHEAP_PASSWORD')).toBe('e5322165c1d74692bfa6d807100c0310');
  });

  it('favonia and No-IP DUC environments', () => {
    expect(imported('favonia.env').providers).toEqual([
      { type: 'cloudflare', token: '${CLOUDFLARE_API_TOKEN}', hosts: ['example.org', 'www.example.org', 'example.io'], proxied: true },
    ]);
    expect(imported('noip-duc.env')).toMatchObject({
      providers: [{ type: 'noip', username: '${NOIP_USERNAME}', password: '${NOIP_PASSWORD}', hosts: ['example.ddns.net', 'example.com'] }],
    });
    const fav = importConfig(
      'CLOUDFLARE_API_TOKEN=tok\nIP6_DOMAINS=v6.example.org\nUPDATE_CRON=@every 10m\nSHOUTRRR=discord://t0ken@123456\nIP6_PROVIDER=local.iface:eth0\nEMOJI=false\n',
      formatOf('CLOUDFLARE_API_TOKEN=x', undefined, 'env'),
    );
    expect(fav).toMatchObject({
      interval: '10m',
      detect: { ipv6: ['interface:eth0'] },
      notify: [{ url: '${NOTIFY_URL}' }],
      providers: [{ hosts: ['v6.example.org'], ipv4: false, ipv6: true }],
    });
    expect(fav.skipped).toEqual([{ setting: 'EMOJI', why: 'ddnsd has no such setting' }]);
  });

  it('ddclient: globals, continuation lines, quoted values, comments, host lists and the old "host login password" form', () => {
    const conf = [
      'daemon=600  # ten minutes',
      'protocol=dyndns2, \\',
      "  server=members.dyndns.org, login=me, password='p#ss w,rd'",
      'a.example.net, b.example.net',
      'protocol=duckdns',
      'office dummy tok3n',
      'protocol=noip, login=n, password=x#y # a comment',
      'n.ddns.net',
      '',
    ].join('\n');
    expect(readDdclient(conf).hosts).toEqual([
      { host: 'a.example.net', options: { daemon: '600', protocol: 'dyndns2', server: 'members.dyndns.org', login: 'me', password: 'p#ss w,rd' } },
      { host: 'b.example.net', options: { daemon: '600', protocol: 'dyndns2', server: 'members.dyndns.org', login: 'me', password: 'p#ss w,rd' } },
      { host: 'office', options: { daemon: '600', protocol: 'duckdns', server: 'members.dyndns.org', login: 'dummy', password: 'tok3n' } },
      { host: 'n.ddns.net', options: { daemon: '600', protocol: 'noip', server: 'members.dyndns.org', login: 'n', password: 'x#y' } },
    ]);
  });

  it('ddclient: usev4/usev6 as detection sources, a fixed address told as not carried over', () => {
    const text = 'usev4=webv4, webv4=ipify-ipv4\nusev6=ifv6, ifv6=eth0\nprotocol=duckdns, password=t office\n';
    expect(importConfig(text, formatOf(text, 'ddclient', 'f')).detect).toEqual({ ipv4: ['ipify'], ipv6: ['interface:eth0'] });
    const fixed = 'use=ip, ip=81.2.69.160\nprotocol=duckdns, password=t office\n';
    expect(importConfig(fixed, formatOf(fixed, 'ddclient', 'f')).skipped[0]?.setting).toBe('use=ip, ip=81.2.69.160');
  });
});

describe('ddnsd import on the command line', () => {
  const write = (dir: string, name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('--write DIR: config.yaml that ddnsd check accepts, .env with the secrets, what was not carried over as comments and on stderr', async () => {
    const dir = tempDir();
    const conf = write(
      dir,
      'ddclient.conf',
      'daemon=300\nmail=it@example.com\nuse=if, if=eth0\nprotocol=cloudflare, zone=example.com, login=token, password=Sup3r-Secret-Cf-Token office.example.com\n',
    );
    const res = await runCli(['import', conf, '--write', join(dir, 'out')], { cwd: dir });
    expect(res.code).toBe(0);
    const yaml = readFileSync(join(dir, 'out/config.yaml'), 'utf8');
    expect(parse(yaml)).toEqual({
      interval: '5m',
      detect: { ipv4: ['interface:eth0'] },
      providers: [{ type: 'cloudflare', token: '${CLOUDFLARE_API_TOKEN}', hosts: ['office.example.com'], zone: 'example.com' }],
    });
    expect(yaml).toContain('# - mail=it@example.com: ddnsd sends messages through notify:');
    expect(res.stderr).toContain('- mail=it@example.com: ddnsd sends messages through notify:');
    expect(res.stdout + res.stderr + yaml).not.toContain('Sup3r-Secret-Cf-Token');
    expect(readFileSync(join(dir, 'out/.env'), 'utf8')).toContain('CLOUDFLARE_API_TOKEN=Sup3r-Secret-Cf-Token\n');
    const check = await runCli(['check', '--config', join(dir, 'out/config.yaml')], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
  });

  it("favonia's Shoutrrr and Healthchecks URLs become notify targets, typed by their scheme and shown redacted by ddnsd check", async () => {
    const dir = tempDir();
    const env = write(
      dir,
      'ddns.env',
      'CLOUDFLARE_API_TOKEN=cf-token-4f2a9c1e\nDOMAINS=office.example.org\nIP6_PROVIDER=none\nSHOUTRRR=discord://Dtoken-abcdefgh12345@693853386302554172\nHEALTHCHECKS=https://hc-ping.com/5f8a1b2c-0000-4a5b-9c8d-123456789abc\n',
    );
    expect((await runCli(['import', env, '--write', join(dir, 'out')], { cwd: dir })).code).toBe(0);
    expect(parse(readFileSync(join(dir, 'out/config.yaml'), 'utf8')).notify).toEqual([{ url: '${NOTIFY_URL}' }, { type: 'healthchecks', url: '${HEALTHCHECKS_URL}' }]);
    const check = await runCli(['check'], { cwd: join(dir, 'out') });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/- type: discord\n\s+url: "\[redacted\]"/);
    expect(check.stdout + check.stderr).not.toMatch(/Dtoken-abcdefgh12345|5f8a1b2c-0000|cf-token-4f2a9c1e/);
  });

  it('every documented example imports to a config ddnsd check accepts (the DuckDNS one keeps its YOUR_DOMAIN placeholder, which is no hostname)', async () => {
    for (const name of readdirSync(FIXTURES).filter((f) => f !== 'SOURCES.md')) {
      const dir = tempDir();
      expect((await runCli(['import', join(FIXTURES, name), '--write', dir], { cwd: dir })).code).toBe(0);
      const check = await runCli(['check'], { cwd: dir });
      if (name === 'inadyn-duckdns.conf') expect(check.stderr).toContain('"your_domain.duckdns.org" is not a valid hostname');
      else expect(check.code, `${name}: ${check.stderr}`).toBe(0);
    }
  }, 60_000);

  it('bad input: exit 2 with what was wrong, nothing written', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const cases: [string[], string][] = [
      [['import', join(dir, 'missing.conf'), '--write', out], 'cannot read'],
      [['import', write(dir, 'notes.txt', 'just some notes\n'), '--write', out], 'does not look like a config of'],
      [['import', write(dir, 'a.conf', 'protocol=dyndns2\nx.example.net\n'), '--from', 'dhclient', '--write', out], '--from dhclient is not a format'],
      [
        ['import', write(dir, 'b.conf', 'protocol=zoneedit1, login=me, password=pw x.example.net\n'), '--write', out],
        'uses the protocol "zoneedit1" for x.example.net, which ddnsd has no provider for',
      ],
      [['import', write(dir, 'c.json', '{"settings": [ {"provider": "cloudflare", '), '--from', 'ddns-updater', '--write', out], 'not valid JSON'],
      [['import'], 'usage: ddnsd import FILE'],
      [['import', join(dir, 'a.conf'), '--dry-run'], '--dry-run does not go with import'],
      [['once', '--from', 'ddclient'], '--from goes with import'],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args, { cwd: dir });
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(message);
    }
    expect(existsSync(out)).toBe(false);
    writeFileSync(join(dir, '.env'), 'KEEP=me\n');
    const envTaken = await runCli(['import', write(dir, 'e.conf', 'protocol=duckdns, password=t office\n'), '--write', dir], { cwd: dir });
    expect(envTaken.stderr).toContain(`${join(dir, '.env')} already exists`);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('KEEP=me\n');
    writeFileSync(join(dir, 'config.yaml'), 'providers: []\n');
    const taken = await runCli(['import', write(dir, 'd.conf', 'protocol=duckdns, password=t office\n'), '--write', dir], { cwd: dir });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('already exists');
    expect(readFileSync(join(dir, 'config.yaml'), 'utf8')).toBe('providers: []\n');
  }, 60_000);

  it('is in the help', async () => {
    const res = await runCli(['--help'], { cwd: tempDir() });
    expect(res.stdout).toContain('ddnsd import FILE [--from ddclient|inadyn|ddns-updater|favonia|noip-duc] [--write DIR]');
  });
});
