/**
 * favonia/cloudflare-ddns's environment, from an env file: CLOUDFLARE_API_TOKEN
 * (or CF_API_TOKEN), DOMAINS, IP4_DOMAINS, IP6_DOMAINS, PROXIED, TTL,
 * UPDATE_CRON, IP4_PROVIDER/IP6_PROVIDER, and the notifications SHOUTRRR and
 * HEALTHCHECKS (its README, "All Settings").
 */
import { cloudflareEntry } from './entries.js';
import { envLines, ImportError, list, seconds, type Builder, type Format } from './types.js';

/** `@every 5m` as a ddnsd interval; other cron expressions are told as not carried over. */
function interval(b: Builder, cron: string | undefined): void {
  if (!cron) return;
  const every = /^@every\s+(\d+)([smh])$/.exec(cron.trim());
  if (every) b.imported.interval = seconds(Number(every[1]) * { s: 1, m: 60, h: 3600 }[every[2] as 's' | 'm' | 'h']);
  else b.skip(`UPDATE_CRON=${cron}`, 'ddnsd checks every interval: (5m by default), not on a cron schedule');
}

/** IP4_PROVIDER / IP6_PROVIDER as ddnsd sources. */
function provider(b: Builder, family: 'ipv4' | 'ipv6', value: string | undefined): void {
  if (!value) return;
  const v = value.trim();
  if (v === 'none') return;
  if (v === 'cloudflare.trace' || v === 'cloudflare.doh') b.source(family, v === 'cloudflare.trace' ? 'cloudflare' : 'cloudflare-dns');
  else if (v.startsWith('url:')) b.source(family, v.slice(4));
  else if (v.startsWith('local.iface:')) b.source(family, `interface:${v.slice('local.iface:'.length)}`);
  else b.skip(`${family === 'ipv4' ? 'IP4' : 'IP6'}_PROVIDER=${v}`, `ddnsd has no such source; it uses its default ${family} sources`);
}

function notify(b: Builder, env: Map<string, string>): void {
  for (const url of (env.get('SHOUTRRR') ?? '')
    .split(/\\n|\n/)
    .map((u) => u.trim())
    .filter((u) => u && !u.startsWith('#'))) {
    b.imported.notify.push({ url: b.secret('notify_url', url) });
  }
  const hc = env.get('HEALTHCHECKS');
  if (hc) b.imported.notify.push({ type: 'healthchecks', url: b.secret('healthchecks_url', hc) });
  const kuma = env.get('UPTIMEKUMA');
  if (kuma) b.skip('UPTIMEKUMA', 'add a healthchecks target with url: the push URL and fail_url: the push URL with status=down');
}

const HANDLED = new Set([
  'CLOUDFLARE_API_TOKEN',
  'CF_API_TOKEN',
  'DOMAINS',
  'IP4_DOMAINS',
  'IP6_DOMAINS',
  'PROXIED',
  'TTL',
  'UPDATE_CRON',
  'IP4_PROVIDER',
  'IP6_PROVIDER',
  'SHOUTRRR',
  'HEALTHCHECKS',
  'UPTIMEKUMA',
  'TZ',
  'PUID',
  'PGID',
]);

function parse(text: string, b: Builder): void {
  const env = envLines(text);
  const token = env.get('CLOUDFLARE_API_TOKEN') ?? env.get('CF_API_TOKEN');
  if (!token) throw new ImportError('no CLOUDFLARE_API_TOKEN (or CF_API_TOKEN) in the file: favonia/cloudflare-ddns needs one, and so does the imported entry');
  const both = list(env.get('DOMAINS'));
  const v4 = list(env.get('IP4_DOMAINS'));
  const v6 = list(env.get('IP6_DOMAINS'));
  const ttl = env.get('TTL') ? Number(env.get('TTL')) : undefined;
  const proxied = env.has('PROXIED') ? /^(true|1|yes)$/i.test(env.get('PROXIED') ?? '') : undefined;
  const common = { token, ttl, proxied };
  const names = (hosts: string[]): string[] => hosts.map((h) => h.replace(/\{.*\}$/, ''));
  if (both.length > 0) b.imported.providers.push(cloudflareEntry(b, { ...common, hosts: names(both) }));
  if (v4.length > 0) b.imported.providers.push({ ...cloudflareEntry(b, { ...common, hosts: names(v4) }), ipv4: true, ipv6: false });
  if (v6.length > 0) b.imported.providers.push({ ...cloudflareEntry(b, { ...common, hosts: names(v6) }), ipv4: false, ipv6: true });
  if ([...both, ...v6].some((h) => h.includes('{'))) b.skip('hostid6 in DOMAINS', 'give the host as { name: …, ipv6_suffix: "::…" } in hosts');
  if (v6.length > 0 || env.get('IP6_PROVIDER') !== 'none') provider(b, 'ipv6', env.get('IP6_PROVIDER') ?? 'cloudflare.trace');
  provider(b, 'ipv4', env.get('IP4_PROVIDER'));
  interval(b, env.get('UPDATE_CRON'));
  notify(b, env);
  for (const key of env.keys()) if (!HANDLED.has(key) && !key.endsWith('_FILE')) b.skip(key, 'ddnsd has no such setting');
}

export const favonia: Format = {
  name: 'favonia',
  detect: (text) => /^\s*(export\s+)?(CLOUDFLARE_API_TOKEN|CF_API_TOKEN)\s*=/m.test(text),
  parse,
};
