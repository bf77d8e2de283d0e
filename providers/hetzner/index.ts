/**
 * Hetzner DNS through the Hetzner Cloud API (the old DNS Console API at
 * dns.hetzner.com was shut down). Each host's zone is the configured `zone`
 * or the longest of its parent names in the token's project; its RRSet of
 * each type is read and its records replaced (or the RRSet created) only
 * when it does not already hold exactly the address.
 */
import { defineProvider, entrySchema, hostname, hostsInZone, RECORD_TYPE, recordProvider, relativeName, sameAddress, secret, ttlSeconds, z, zoneByName } from '../kit/index.js';
import { createHetznerApi, type RRSet } from './api.js';

export const schema = entrySchema(
  'hetzner',
  {
    token: secret('the Hetzner Cloud API token (Hetzner Console → the project → Security → API tokens)'),
    zone: hostname.optional(),
    ttl: ttlSeconds('Hetzner', 60).optional(),
  },
  { endpoint: 'https://api.hetzner.cloud/v1' },
).superRefine(hostsInZone);

export type Settings = z.infer<typeof schema>;

interface Found {
  zone: string;
  name: string;
  rrset: RRSet | undefined;
}

export default defineProvider({
  type: 'hetzner',
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createHetznerApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    const zoneOf = zoneByName(
      (name, signal) => api.hasZone(name, signal),
      (host) => `Hetzner has no zone for ${host} in the token's project; create the zone in the Hetzner Console (DNS), use a token of the project that holds it, or set zone`,
      settings.zone,
    );
    return recordProvider<Found>('hetzner', settings.hosts, {
      async read(u, s) {
        const zone = await zoneOf(u.host, s);
        const name = relativeName(u.host, zone);
        const rrset = await api.getRRSet(zone, name, RECORD_TYPE[u.family], s);
        return { values: rrset?.values ?? [], record: { zone, name, rrset }, stale: settings.ttl !== undefined && rrset !== undefined && rrset.ttl !== settings.ttl };
      },
      async write(u, current, s) {
        const { zone, name, rrset } = current.record as Found;
        const type = RECORD_TYPE[u.family];
        if (rrset === undefined) return api.createRRSet(zone, { name, type, ttl: settings.ttl ?? null, values: [u.address] }, s);
        if (rrset.values.length !== 1 || !sameAddress(rrset.values[0] as string, u.address)) await api.setRecords(zone, name, type, [u.address], s);
        if (settings.ttl !== undefined && rrset.ttl !== settings.ttl) await api.changeTtl(zone, name, type, settings.ttl, s);
      },
    });
  },
});
