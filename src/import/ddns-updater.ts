/**
 * qdm12/ddns-updater's config.json: `{ "settings": [ { "provider": …,
 * "domain": …, credentials, "ip_version": … } ] }` as its docs/<provider>.md
 * describe each entry (older files give "host" beside "domain").
 */
import { cloudflareEntry, dyndns2Entry, duckdnsEntry, namecheapEntry, unknownProtocol } from './entries.js';
import { ImportError, list, type Builder, type Format } from './types.js';

type Setting = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The full names an entry updates: "domain" (a list since 2.8), or the older "host" under "domain" (`@` the domain itself). */
function hostsOf(s: Setting): string[] {
  const domains = list(str(s.domain));
  const owners = list(str(s.host ?? s.owner));
  if (owners.length === 0) return domains;
  const domain = domains[0] ?? '';
  return owners.map((h) => (h === '@' ? domain : `${h}.${domain}`));
}

/** ip_version: "ipv4", "ipv6" or "ipv4 or ipv6" (the default). */
function families(s: Setting): Record<string, boolean> {
  const v = str(s.ip_version).toLowerCase();
  if (v === 'ipv4') return { ipv4: true, ipv6: false };
  if (v === 'ipv6') return { ipv4: false, ipv6: true };
  return {};
}

function entryOf(b: Builder, s: Setting, i: number): Record<string, unknown> {
  const hosts = hostsOf(s);
  const provider = str(s.provider).toLowerCase();
  switch (provider) {
    case 'cloudflare':
      if (!s.token) b.skip(`settings[${i}] email/key`, 'ddnsd takes a Cloudflare API token (Zone → DNS → Edit), not the global API key; put one in CLOUDFLARE_API_TOKEN');
      return cloudflareEntry(b, {
        token: str(s.token),
        hosts,
        zoneId: str(s.zone_identifier) || undefined,
        ttl: typeof s.ttl === 'number' ? s.ttl : undefined,
        proxied: typeof s.proxied === 'boolean' ? s.proxied : undefined,
      });
    case 'duckdns':
      return duckdnsEntry(b, str(s.token), hosts);
    case 'namecheap':
      return namecheapEntry(b, list(str(s.domain))[0] ?? '', str(s.password), s.host ? list(str(s.host)) : hosts);
    case 'noip':
      return dyndns2Entry(b, 'dynupdate.no-ip.com', true, { login: str(s.username), password: str(s.password) }, hosts);
    case 'dyn':
      // Dyn's updater takes the client key as the password.
      return dyndns2Entry(b, 'members.dyndns.org', true, { login: str(s.username), password: str(s.client_key ?? s.password) }, hosts);
    case 'desec':
      return dyndns2Entry(b, 'update.dedyn.io', true, { login: '', password: str(s.token) }, hosts);
    case 'he':
      return dyndns2Entry(b, 'dyn.dns.he.net', true, { login: '', password: str(s.password) }, hosts);
    case 'dynv6':
      return { type: 'dynv6', token: b.secret('dynv6_token', str(s.token)), hosts };
    case 'digitalocean':
      return { type: 'digitalocean', token: b.secret('digitalocean_token', str(s.token)), hosts };
    default:
      return unknownProtocol('ddns-updater', provider || `settings[${i}] without a provider`, hosts);
  }
}

function parse(text: string, b: Builder): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`the file is not valid JSON (${(error as Error).message}); ddns-updater's config.json is a JSON object with "settings"`);
  }
  const settings = (json as { settings?: unknown }).settings;
  if (!Array.isArray(settings)) throw new ImportError('expected a JSON object with a "settings" list, as ddns-updater\'s config.json has');
  settings.forEach((raw, i) => {
    const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Setting;
    const entry = { ...entryOf(b, s, i), ...families(s) };
    if (str(s.ipv6_suffix)) b.skip(`settings[${i}].ipv6_suffix=${str(s.ipv6_suffix)}`, 'give the host as { name: …, ipv6_suffix: "::…" } in hosts (the interface id part only)');
    b.imported.providers.push(entry);
  });
  b.skip(
    'PERIOD, PUBLICIP_* and SHOUTRRR_ADDRESSES (environment)',
    'ddns-updater reads these from its environment, not config.json: set interval:, detect: and notify: (Shoutrrr URLs work as they are) in config.yaml',
  );
}

export const ddnsUpdater: Format = {
  name: 'ddns-updater',
  detect: (text) => /^\s*\{[\s\S]*"settings"\s*:/.test(text),
  parse,
};
