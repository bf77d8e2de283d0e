/**
 * DigitalOcean (API v2, a Bearer token). Each host's domain is the
 * configured `zone` or the longest of its parent names the token sees; its
 * records of each type are listed (every page), and the first is changed
 * (PATCH) or one is created only when they do not already hold exactly the
 * address. Further records of that name and type are deleted, so the name
 * points at one address.
 */
import { defineProvider, entrySchema, hostname, hostsInZone, RECORD_TYPE, recordProvider, relativeName, secret, ttlSeconds, z, zoneByName, type Logger } from '../kit/index.js';
import { createDigitalOceanApi, type DigitalOceanApi, type DoRecord } from './api.js';

/** What DigitalOcean gives a new record when no TTL is set. */
export const DEFAULT_TTL = 1800;

export const schema = entrySchema(
  'digitalocean',
  {
    token: secret('the DigitalOcean API token'),
    zone: hostname.optional(),
    ttl: ttlSeconds('DigitalOcean', 30).optional(),
  },
  { endpoint: 'https://api.digitalocean.com/v2' },
).superRefine(hostsInZone);

export type Settings = z.infer<typeof schema>;

interface Found {
  domain: string;
  records: DoRecord[];
}

/** Points the first record at the address, deletes the others, or creates one. */
async function writeRecord(
  api: DigitalOceanApi,
  log: Logger,
  u: { host: string; address: string; type: 'A' | 'AAAA' },
  found: Found,
  ttl: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  const [first, ...extra] = found.records;
  if (first === undefined) {
    await api.createRecord(found.domain, { type: u.type, name: relativeName(u.host, found.domain), data: u.address, ttl: ttl ?? DEFAULT_TTL }, signal);
    return;
  }
  await api.patchRecord(found.domain, first.id, { type: u.type, data: u.address, ...(ttl === undefined ? {} : { ttl }) }, signal);
  for (const dup of extra) await api.deleteRecord(found.domain, dup.id, signal);
  if (extra.length > 0)
    log.warn(`${u.host} had ${found.records.length} ${u.type} records at DigitalOcean; kept ${first.id} and deleted the other ${extra.length}`, { provider: 'digitalocean' });
}

export default defineProvider({
  type: 'digitalocean',
  records: { noMarker: "DigitalOcean's domain records have no comment or label field to carry a marker" },
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createDigitalOceanApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    const domainOf = zoneByName(
      (name, signal) => api.hasDomain(name, signal),
      (host) => `DigitalOcean has no domain for ${host} that this token can see; add the domain under Networking → Domains, or set zone`,
      settings.zone,
    );
    return recordProvider<Found>('digitalocean', settings.hosts, {
      async read(u, s) {
        const domain = await domainOf(u.host, s);
        const records = await api.findRecords(domain, RECORD_TYPE[u.family], u.host, s);
        return { values: records.map((r) => r.data), record: { domain, records }, stale: settings.ttl !== undefined && records.some((r) => r.ttl !== settings.ttl) };
      },
      write: (u, current, s) => writeRecord(api, deps.log, { ...u, type: RECORD_TYPE[u.family] }, current.record as Found, settings.ttl, s),
    });
  },
});
