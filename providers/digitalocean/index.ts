/**
 * DigitalOcean (API v2, a Bearer token). Each host's domain is the
 * configured `zone` or the longest of its parent names the token sees; its
 * records of each type are listed (every page) and, only when they do not
 * already hold exactly the address (under wan_mode: all, the addresses),
 * made to: one record per address, extra ones deleted. With delete_on_stop
 * the hosts' records of the entry's families are deleted when ddnsd stops.
 */
import {
  defineProvider,
  entrySchema,
  hostname,
  hostsInZone,
  RECORD_TYPE,
  recordProvider,
  relativeName,
  sameAddress,
  secret,
  ttlSeconds,
  wantedAddresses,
  z,
  zoneByName,
} from '../kit/index.js';
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

/**
 * Makes the name's records of the type hold exactly `wanted`: a record
 * already at a wanted address stays (its TTL set when the entry asks for
 * another), a spare record is moved (PATCH) to a missing address, the rest
 * are created, and records left over are deleted. DigitalOcean keeps each
 * record as its own object, so one address per request. Returns the
 * records deleted.
 */
async function writeRecords(
  api: DigitalOceanApi,
  u: { host: string; type: 'A' | 'AAAA'; wanted: readonly string[] },
  found: Found,
  ttl: number | undefined,
  signal: AbortSignal,
): Promise<DoRecord[]> {
  const kept = new Set<DoRecord>();
  const missing: string[] = [];
  for (const address of u.wanted) {
    const record = found.records.find((r) => sameAddress(r.data, address) && !kept.has(r));
    if (record) kept.add(record);
    else missing.push(address);
  }
  const spare = found.records.filter((r) => !kept.has(r));
  for (const record of kept) {
    if (ttl !== undefined && record.ttl !== ttl) await api.patchRecord(found.domain, record.id, { type: u.type, ttl }, signal);
  }
  for (const address of missing) {
    const record = spare.shift();
    if (record) await api.patchRecord(found.domain, record.id, { type: u.type, data: address, ...(ttl === undefined ? {} : { ttl }) }, signal);
    else await api.createRecord(found.domain, { type: u.type, name: relativeName(u.host, found.domain), data: address, ttl: ttl ?? DEFAULT_TTL }, signal);
  }
  for (const record of spare) await api.deleteRecord(found.domain, record.id, signal);
  return spare;
}

export default defineProvider({
  type: 'digitalocean',
  records: { sets: true, removeOnStop: true, noMarker: "DigitalOcean's domain records have no comment or label field to carry a marker" },
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
      async write(u, current, s) {
        const found = current.record as Found;
        const type = RECORD_TYPE[u.family];
        const deleted = await writeRecords(api, { host: u.host, type, wanted: wantedAddresses(u) }, found, settings.ttl, s);
        // Under wan_mode: all a record goes when its link fails; otherwise a second record of the name is a surprise worth a word.
        if (deleted.length > 0 && u.addresses === undefined) {
          deps.log.warn(`${u.host} had ${found.records.length} ${type} records at DigitalOcean; kept one and deleted the other ${deleted.length}`, { provider: 'digitalocean' });
        }
      },
      async remove(host, family, s) {
        const domain = await domainOf(host, s);
        const records = await api.findRecords(domain, RECORD_TYPE[family], host, s);
        for (const record of records) await api.deleteRecord(domain, record.id, s);
        return records.length;
      },
    });
  },
});
