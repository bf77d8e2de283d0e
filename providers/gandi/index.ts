/**
 * Gandi LiveDNS (API v5, a personal access token). Each host's domain is the
 * configured `zone` or the longest of its parent names in LiveDNS; its
 * record set of each type is read and replaced (PUT, which also creates)
 * only when it does not already hold exactly the address (under wan_mode:
 * all, the addresses: one rrset, one value per address). With
 * delete_on_stop the hosts' sets of the entry's families are deleted when
 * ddnsd stops.
 */
import { defineProvider, entrySchema, hostname, hostsInZone, RECORD_TYPE, recordProvider, relativeName, secret, ttlSeconds, wantedAddresses, z, zoneByName } from '../kit/index.js';
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
  records: { sets: true, removeOnStop: true, noMarker: 'a LiveDNS record set has only its name, type, TTL and values, no field to carry a marker' },
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
        await api.putRecords(domain, name, RECORD_TYPE[u.family], { ttl: settings.ttl ?? set?.ttl ?? DEFAULT_TTL, values: [...wantedAddresses(u)] }, s);
      },
      async remove(host, family, s) {
        const domain = await domainOf(host, s);
        const name = relativeName(host, domain);
        const set = await api.getRecords(domain, name, RECORD_TYPE[family], s);
        if (set === undefined) return 0;
        // One DELETE takes the whole set; a set gone in between counts as none.
        return (await api.deleteRecords(domain, name, RECORD_TYPE[family], s)) ? set.values.length : 0;
      },
    });
  },
});
