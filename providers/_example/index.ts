/**
 * A copy-me adapter for a REST service whose records live in zones, built
 * like the real ones (digitalocean/, hetzner/, porkbun/, gandi/, route53/).
 * Not registered; see docs/adding-a-provider.md. To start a new provider:
 * copy this folder, rename the type, write api.ts after the provider's
 * documentation, and add one line to providers/registry.ts.
 *
 * The kit does the rest the same way for every adapter: zoneByName finds
 * each host's zone (its parent names, longest first, cached) unless the
 * entry names one; recordProvider reads each host's record, sends nothing
 * when it already holds exactly the address, and writes it otherwise; a
 * failure of one host (`fatal`, `bad-response`) fails that host alone,
 * anything else (auth, rate limit, network) fails the call and the cycle's
 * policy retries or pauses it.
 */
import { defineProvider, entrySchema, hostname, hostsInZone, RECORD_TYPE, recordProvider, relativeName, secret, z, zoneByName } from '../kit/index.js';
import { createExampleApi, type ExampleRecord } from './api.js';

/**
 * One providers[] entry: `type`, `hosts` and the common keys come from
 * entrySchema; these are the service's own. `secret` keeps the token out of
 * logs and messages; `zone` is optional (found by name when absent), and
 * hostsInZone checks that every host is in it.
 */
export const schema = entrySchema(
  'example',
  {
    token: secret('the Example DNS API token'),
    zone: hostname.optional(),
  },
  { endpoint: 'https://api.example-dns.invalid/v1' },
).superRefine(hostsInZone);

type Settings = z.infer<typeof schema>;

/** What read() finds and write() needs: the zone and the record to change, if there is one. */
interface Found {
  zone: string;
  record: ExampleRecord | undefined;
}

export default defineProvider({
  type: 'example',
  schema,
  // Keys of the entry whose values are secrets: redacted everywhere.
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createExampleApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    const zoneOf = zoneByName(
      (name, signal) => api.hasZone(name, signal),
      // Said when no parent of the host is a zone this token sees: a `fatal` failure of that host.
      (host) => `Example DNS has no zone for ${host} that this token can see; add the zone in its dashboard, or set zone`,
      settings.zone,
    );
    return recordProvider<Found>('example', settings.hosts, {
      async read(u, signal) {
        const zone = await zoneOf(u.host, signal);
        const records = await api.findRecords(zone, relativeName(u.host, zone), RECORD_TYPE[u.family], signal);
        // values: what the record holds now (none: missing). More than one value counts as different and is written.
        return { values: records.map((r) => r.content), record: { zone, record: records[0] } };
      },
      async write(u, current, signal) {
        const { zone, record } = current.record as Found;
        if (record) await api.updateRecord(zone, record.id, u.address, signal);
        else await api.createRecord(zone, { name: relativeName(u.host, zone), type: RECORD_TYPE[u.family], content: u.address }, signal);
      },
    });
  },
});
