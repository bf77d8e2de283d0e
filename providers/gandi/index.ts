/**
 * Gandi LiveDNS (API v5, a personal access token). Each host's domain is the
 * configured `zone` or the longest of its parent names in LiveDNS; its
 * record set of each type is read and replaced (PUT, which also creates)
 * only when it does not already hold exactly the address.
 */
import { defineProvider, entrySchema, hostname, hostsInZone, RECORD_TYPE, recordProvider, relativeName, secret, ttlSeconds, z, zoneByName } from '../kit/index.js';
import { createGandiApi, type RecordSet } from './api.js';

/** What LiveDNS gives a record set without a TTL. */
export const DEFAULT_TTL = 10_800;

export const schema = entrySchema(
  'gandi',
  {
    token: secret('the Gandi personal access token'),
    zone: hostname.optional(),
    ttl: ttlSeconds('Gandi', 300, 2_592_000).optional(),
  },
  { endpoint: 'https://api.gandi.net/v5/livedns' },
).superRefine(hostsInZone);

export type Settings = z.infer<typeof schema>;

interface Found {
  domain: string;
  name: string;
  set: RecordSet | undefined;
}

export default defineProvider({
  type: 'gandi',
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createGandiApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    const domainOf = zoneByName(
      (name, signal) => api.hasDomain(name, signal),
      (host) => `Gandi LiveDNS has no domain for ${host} that this token may see; check that the domain uses LiveDNS and the token's organization owns it, or set zone`,
      settings.zone,
    );
    return recordProvider<Found>('gandi', settings.hosts, {
      async read(u, s) {
        const domain = await domainOf(u.host, s);
        const name = relativeName(u.host, domain);
        const set = await api.getRecords(domain, name, RECORD_TYPE[u.family], s);
        return { values: set?.values ?? [], record: { domain, name, set }, stale: settings.ttl !== undefined && set !== undefined && set.ttl !== settings.ttl };
      },
      async write(u, current, s) {
        const { domain, name, set } = current.record as Found;
        // A PUT replaces the whole set, TTL included: keep the current TTL unless the entry sets one.
        await api.putRecords(domain, name, RECORD_TYPE[u.family], { ttl: settings.ttl ?? set?.ttl ?? DEFAULT_TTL, values: [u.address] }, s);
      },
    });
  },
});
