/**
 * Porkbun (API v3, an API key pair in each request's body). Each host's
 * domain is the configured `zone` or found in one listing of the account's
 * domains; its record of each type is read, and changed (editByNameType,
 * keeping its TTL and notes unless the entry sets a TTL) or created only when
 * it does not already hold the address. Before a new apex or wildcard record,
 * Porkbun's own parking records of a new domain (ALIAS @ and CNAME * to
 * pixie.porkbun.com, which the new record would conflict with) are removed;
 * nothing else is. Under `owned: marked` ddnsd's records are those whose
 * notes are its marker: it creates its record with the note and changes only
 * that one (by id; editByNameType would set the others too), and the others
 * of the name are left alone and counted as `foreign`.
 */
import {
  type Logger,
  defineProvider,
  foreignRecords,
  entrySchema,
  hostname,
  hostsInZone,
  RECORD_TYPE,
  recordProvider,
  relativeName,
  secret,
  ttlSeconds,
  z,
  zoneFinder,
} from '../kit/index.js';
import { createPorkbunApi, type PorkbunApi, type PorkbunRecord } from './api.js';

/** Porkbun's smallest TTL, and what it gives a new record. */
export const MIN_TTL = 600;

export const schema = entrySchema(
  'porkbun',
  {
    api_key: secret('the Porkbun API key (pk1_…)'),
    secret_api_key: secret('the Porkbun secret API key (sk1_…)'),
    zone: hostname.optional(),
    ttl: ttlSeconds('Porkbun', MIN_TTL).optional(),
    /** all: every record of the name and type is ddnsd's; marked: only those whose notes are `comment`. */
    owned: z.enum(['all', 'marked'], { error: "expected all (every record of the name and type is ddnsd's) or marked (only records carrying ddnsd's note)" }).default('all'),
    comment: z.string({ error: 'expected the text ddnsd marks its records with' }).min(1, { error: 'must not be empty' }).default('managed by ddnsd'),
  },
  { endpoint: 'https://api.porkbun.com/api/json/v3' },
).superRefine(hostsInZone);

export type Settings = z.infer<typeof schema>;

/** Where Porkbun's parking records of a new domain point. */
export const PARKING_TARGET = 'pixie.porkbun.com';

/** The parking records a new record at `sub` conflicts with (qdm12/ddns-updater `porkbun/provider.go`, deleteDefaultConflictingRecordsIfNeeded). */
const CONFLICTING_DEFAULTS: Record<string, [type: 'ALIAS' | 'CNAME', sub: string][]> = {
  '': [['ALIAS', '']],
  '*': [
    ['CNAME', '*'],
    ['ALIAS', ''],
  ],
};

/** Removes Porkbun's parking records that a new record at `sub` would conflict with: only a lone record pointing at pixie.porkbun.com. */
async function removeParking(api: PorkbunApi, log: Logger, domain: string, sub: string, signal: AbortSignal): Promise<void> {
  for (const [type, at] of CONFLICTING_DEFAULTS[sub] ?? []) {
    const found = await api.retrieve(domain, type, at, signal);
    const [only, ...more] = found;
    if (only === undefined || more.length > 0 || only.content.toLowerCase().replace(/\.$/, '') !== PARKING_TARGET) continue;
    await api.deleteByNameType(domain, type, at, signal);
    log.info(`removed Porkbun's parking record ${type} ${at === '' ? domain : `${at}.${domain}`} → ${PARKING_TARGET}, which a new record there conflicts with`, {
      provider: 'porkbun',
    });
  }
}

interface Found {
  domain: string;
  sub: string;
  /** ddnsd's records of the name and type: all of them, or under owned: marked those whose notes are the marker. */
  mine: PorkbunRecord[];
}

export default defineProvider({
  type: 'porkbun',
  records: { marker: 'a Porkbun record note' },
  schema,
  secrets: ['api_key', 'secret_api_key'],
  create(settings: Settings, deps) {
    const api = createPorkbunApi({ endpoint: settings.endpoint, apiKey: settings.api_key, secretApiKey: settings.secret_api_key, http: deps.http, clock: deps.clock });
    let domains: Promise<string[]> | undefined;
    const listed = (signal: AbortSignal): Promise<string[]> => {
      domains ??= api.listDomains(signal).catch((error: unknown) => {
        domains = undefined;
        throw error;
      });
      return domains;
    };
    const domainOf = zoneFinder(
      async (name, signal) => (settings.zone !== undefined || (await listed(signal)).includes(name) ? name : undefined),
      (host) => `the Porkbun account has no domain that holds ${host}; list hosts of a domain in this account, or set zone`,
      settings.zone,
    );
    const ttl = settings.ttl ?? MIN_TTL;
    const marker = settings.owned === 'marked' ? settings.comment : undefined;
    /** Records of each name that are not ddnsd's (owned: marked): in the results, and a log line when their number changes. */
    const foreign = foreignRecords((host, family, count) =>
      deps.log.info(`${host} has ${count} ${RECORD_TYPE[family]} record(s) at Porkbun without ddnsd's note "${settings.comment}"; left alone (owned: marked)`, {
        provider: 'porkbun',
      }),
    );

    const provider = recordProvider<Found>('porkbun', settings.hosts, {
      async read(u, s) {
        const domain = await domainOf(u.host, s);
        const sub = relativeName(u.host, domain).replace(/^@$/, '');
        const records = await api.retrieve(domain, RECORD_TYPE[u.family], sub, s);
        const mine = marker === undefined ? records : records.filter((r) => r.notes === marker);
        foreign.note(u.host, u.family, records.length - mine.length);
        return {
          values: mine.map((r) => r.content),
          record: { domain, sub, mine },
          stale: settings.ttl !== undefined && mine.some((r) => Number(r.ttl) !== settings.ttl),
        };
      },
      async write(u, current, s) {
        const { domain, sub, mine } = current.record as Found;
        const type = RECORD_TYPE[u.family];
        const [first, ...extra] = mine;
        if (first !== undefined) {
          // ddclient (nic_porkbun_update) sends the record's own TTL and notes back: an edit resets what it is not sent.
          const kept = Number(first.ttl);
          const fields = { content: u.address, ttl: settings.ttl ?? (kept >= MIN_TTL ? kept : MIN_TTL), notes: first.notes };
          // editByNameType sets every record of the name and type: under owned: marked only ddnsd's own are changed, by id.
          if (marker === undefined) return api.edit(domain, type, sub, fields, s);
          await api.editById(domain, first.id, type, sub, fields, s);
          for (const r of extra) await api.deleteById(domain, r.id, s);
          return;
        }
        await removeParking(api, deps.log, domain, sub, s);
        await api.create(domain, type, sub, { content: u.address, ttl, notes: marker ?? '' }, s);
      },
    });

    return { ...provider, update: async (request) => foreign.mark(await provider.update(request)) };
  },
});
