/**
 * Hetzner DNS through the Hetzner Cloud API (the old DNS Console API at
 * dns.hetzner.com was shut down). Each host's zone is the configured `zone`
 * or the longest of its parent names in the token's project; its RRSet of
 * each type is read, and changed (or created) only when ddnsd's records do
 * not already hold exactly the wanted addresses: one, or under
 * `wan_mode: all` one per healthy link.
 *
 * Under `owned: all` (the default) every record of the RRSet is ddnsd's and
 * `set_records` replaces them in one action. Under `owned: marked` ddnsd's
 * records carry its comment (./records.ts says why a comment and not a
 * label); it adds and removes only those (`add_records`, then
 * `remove_records`, so the name never goes without an address and a record
 * another tool writes meanwhile is never sent back stale), and the others
 * are counted as `foreign` in the result.
 */
import {
  defineProvider,
  foreignRecords,
  entrySchema,
  hostname,
  hostsInZone,
  RECORD_TYPE,
  recordProvider,
  relativeName,
  sameAddress,
  sameAddresses,
  secret,
  ttlSeconds,
  wantedAddresses,
  z,
  zoneByName,
  type RecordType,
} from '../kit/index.js';
import { createHetznerApi, type RRSet, type RRSetRecord } from './api.js';
import { changes, heldValues, ownership, type Ownership } from './records.js';

export const schema = entrySchema(
  'hetzner',
  {
    token: secret('the Hetzner Cloud API token (Hetzner Console → the project → Security → API tokens)'),
    zone: hostname.optional(),
    ttl: ttlSeconds('Hetzner', 60).optional(),
    /** all: every record of the RRSet is ddnsd's; marked: only those whose comment is `comment`. */
    owned: z.enum(['all', 'marked'], { error: "expected all (every record of the name and type is ddnsd's) or marked (only records carrying ddnsd's comment)" }).default('all'),
    comment: z.string({ error: 'expected the text ddnsd marks its records with' }).min(1, { error: 'must not be empty' }).default('managed by ddnsd'),
  },
  { endpoint: 'https://api.hetzner.cloud/v1' },
).superRefine(hostsInZone);

export type Settings = z.infer<typeof schema>;

interface Found {
  zone: string;
  name: string;
  rrset: RRSet | undefined;
  owned: Ownership;
}

export default defineProvider({
  type: 'hetzner',
  records: { sets: true, marker: 'a Hetzner record comment', removeOnStop: true },
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createHetznerApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    const zoneOf = zoneByName(
      (name, signal) => api.hasZone(name, signal),
      (host) => `Hetzner has no zone for ${host} in the token's project; create the zone in the Hetzner Console (DNS), use a token of the project that holds it, or set zone`,
      settings.zone,
    );
    const marker = settings.owned === 'marked' ? settings.comment : undefined;
    /** Records of each name that are not ddnsd's (owned: marked): in the results, and a log line when their number changes. */
    const foreign = foreignRecords((host, family, count) =>
      deps.log.info(`${host} has ${count} ${RECORD_TYPE[family]} record(s) at Hetzner without ddnsd's comment "${settings.comment}"; left alone (owned: marked)`, {
        provider: 'hetzner',
      }),
    );
    /** A new record of ddnsd's at `value`: its comment kept when it already had one, the marker under owned: marked. */
    const record = (value: string, before: readonly RRSetRecord[]): RRSetRecord => ({
      value,
      comment: marker ?? before.find((r) => sameAddress(r.value, value))?.comment ?? '',
    });

    /**
     * Points an RRSet's records that are ddnsd's at `wanted`: one set_records
     * under owned: all; under marked, the missing addresses added, then
     * ddnsd's records at other addresses removed.
     */
    const replace = async ({ zone, name, rrset, owned }: Found & { rrset: RRSet }, type: RecordType, wanted: readonly string[], s: AbortSignal): Promise<void> => {
      const all = wanted.map((a) => record(a, rrset.records));
      if (marker === undefined) return api.setRecords(zone, name, type, all, s);
      const { add, remove } = changes(owned, wanted);
      const added = add.map((a) => record(a, []));
      if (added.length > 0) await api.addRecords(zone, name, type, added, s);
      if (remove.length > 0) await api.removeRecords(zone, name, type, remove, s);
    };

    const provider = recordProvider<Found>('hetzner', settings.hosts, {
      async read(u, s) {
        const zone = await zoneOf(u.host, s);
        const name = relativeName(u.host, zone);
        const rrset = await api.getRRSet(zone, name, RECORD_TYPE[u.family], s);
        const owned = ownership(rrset?.records ?? [], marker);
        foreign.note(u.host, u.family, owned.foreign.length);
        const stale = settings.ttl !== undefined && rrset !== undefined && rrset.ttl !== settings.ttl;
        return { values: heldValues(owned, wantedAddresses(u)), record: { zone, name, rrset, owned }, stale };
      },
      async write(u, current, s) {
        const { zone, name, rrset, owned } = current.record as Found;
        const type = RECORD_TYPE[u.family];
        const wanted = wantedAddresses(u);
        if (rrset === undefined) return api.createRRSet(zone, { name, type, ttl: settings.ttl ?? null, records: wanted.map((a) => record(a, [])) }, s);
        if (!sameAddresses(current.values, wanted)) await replace({ zone, name, rrset, owned }, type, wanted, s);
        if (settings.ttl !== undefined && rrset.ttl !== settings.ttl) await api.changeTtl(zone, name, type, settings.ttl, s);
      },
      /** delete_on_stop: ddnsd's records of the name go (the RRSet with them when nothing else is left); others stay. */
      async remove(host, family, s) {
        const zone = await zoneOf(host, s);
        const name = relativeName(host, zone);
        const type = RECORD_TYPE[family];
        const values = ownership((await api.getRRSet(zone, name, type, s))?.records ?? [], marker).mine.map((r) => r.value);
        if (values.length > 0) await api.removeRecords(zone, name, type, values, s);
        return values.length;
      },
    });

    return { ...provider, update: async (request) => foreign.mark(await provider.update(request)) };
  },
});
