/**
 * Amazon Route 53 (an IAM access key, SigV4). Each host's hosted zone is the
 * configured `hosted_zone_id` or the longest of its parent names that is a
 * public hosted zone the key sees; its record set of each type is read and
 * UPSERTed only when it does not already hold exactly the address (under
 * wan_mode: all, the addresses: one set, one ResourceRecord per address).
 * With delete_on_stop the hosts' sets of the entry's families are deleted,
 * as read, when ddnsd stops.
 */
import { defineProvider, entrySchema, RECORD_TYPE, recordProvider, secret, ttlSeconds, wantedAddresses, z, zoneFinder } from '../kit/index.js';
import { createRoute53Api, type RecordSet } from './api.js';

/** The TTL of a new record set when the entry sets none. */
export const DEFAULT_TTL = 300;

const zoneIdMessage = 'expected the hosted zone id, e.g. Z0123456789ABCDEFGHIJ (Route 53 console → Hosted zones)';

export const schema = entrySchema(
  'route53',
  {
    access_key_id: secret('the AWS access key id (AKIA…)'),
    secret_access_key: secret('the AWS secret access key'),
    hosted_zone_id: z
      .string({ error: zoneIdMessage })
      .transform((v) => v.replace(/^\/?hostedzone\//, ''))
      .refine((v) => /^[A-Z0-9]{1,32}$/.test(v), { error: zoneIdMessage })
      .optional(),
    ttl: ttlSeconds('Route 53', 0).optional(),
  },
  { endpoint: 'https://route53.amazonaws.com' },
);

export type Settings = z.infer<typeof schema>;

interface Found {
  zoneId: string;
  set: RecordSet | undefined;
}

export default defineProvider({
  type: 'route53',
  records: {
    sets: true,
    removeOnStop: true,
    noMarker: 'a Route 53 record set has no field to carry a marker (a change batch comment is not kept on the record)',
  },
  schema,
  secrets: ['access_key_id', 'secret_access_key'],
  create(settings: Settings, deps) {
    const api = createRoute53Api({
      endpoint: settings.endpoint,
      credentials: { accessKeyId: settings.access_key_id, secretAccessKey: settings.secret_access_key },
      http: deps.http,
      clock: deps.clock,
    });
    const configured = settings.hosted_zone_id;
    const zoneOf = zoneFinder(
      async (name, signal) => configured ?? (await api.findZone(name, signal)),
      (host) => `Route 53 has no public hosted zone for ${host} that this key sees; create it, allow route53:ListHostedZonesByName, or set hosted_zone_id`,
      configured,
    );
    return recordProvider<Found>('route53', settings.hosts, {
      async read(u, s) {
        const zoneId = await zoneOf(u.host, s);
        const set = await api.getRecords(zoneId, u.host, RECORD_TYPE[u.family], s);
        return { values: set?.values ?? [], record: { zoneId, set }, stale: settings.ttl !== undefined && set !== undefined && set.ttl !== settings.ttl };
      },
      async write(u, current, s) {
        const { zoneId, set } = current.record as Found;
        await api.upsert(zoneId, u.host, RECORD_TYPE[u.family], { ttl: settings.ttl ?? set?.ttl ?? DEFAULT_TTL, values: [...wantedAddresses(u)] }, s);
      },
      async remove(host, family, s) {
        const zoneId = await zoneOf(host, s);
        const set = await api.getRecords(zoneId, host, RECORD_TYPE[family], s);
        // An alias set holds no values: not a set ddnsd writes.
        if (set === undefined || set.values.length === 0) return 0;
        await api.deleteSet(zoneId, host, RECORD_TYPE[family], set, s);
        return set.values.length;
      },
    });
  },
});
