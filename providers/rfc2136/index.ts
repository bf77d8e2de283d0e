/**
 * RFC 2136 DNS UPDATE, signed with a TSIG key (RFC 8945), to an
 * authoritative server such as BIND, Knot or PowerDNS. Before sending,
 * ddnsd asks the server for each due host's current record (a query signed
 * with the same key, so a wrong key shows at once and a forged answer cannot
 * hold an update back) and leaves alone what already has the address
 * (under wan_mode: all, exactly the set of addresses); everything else goes
 * in one signed UPDATE per entry, whose signed answer is verified.
 * delete_on_stop reads the records the same way, to count them, and deletes
 * their RRsets in one UPDATE.
 */
import { randomInt } from 'node:crypto';
import {
  DdnsError,
  decodeAnswer,
  decodeTsigSecret,
  encodeMessage,
  defineProvider,
  inParallel,
  parseDnsServer,
  RECORD_TYPE,
  resolveDnsServer,
  resultOf,
  sameAddress,
  signMessage,
  verifyMessage,
  type DnsAnswer,
  type DnsServer,
  type Family,
  type HostUpdate,
  type ProviderDeps,
  type TsigCheck,
  type TsigKey,
} from '../kit/index.js';
import { judgeAnswer, judgeSignature } from './answer.js';
import { buildUpdate, type RecordSet } from './message.js';
import { schema, type Settings } from './settings.js';

/** Queries in flight at once for the current records. */
const LOOKUPS_AT_ONCE = 4;

interface Context {
  deps: ProviderDeps;
  settings: Settings;
  key: TsigKey;
  server: DnsServer;
  signal: AbortSignal;
}

/** Sends `message` signed with the key and returns the answer with what its signature check found. */
async function exchangeSigned(c: Context, message: Buffer): Promise<{ answer: DnsAnswer; check: TsigCheck }> {
  const signed = signMessage(message, c.key, { now: c.deps.clock.now() });
  const bytes = await c.deps.dns.exchange(c.server, signed.message, { signal: c.signal });
  const answer = decodeAnswer(bytes, c.server);
  try {
    return { answer, check: verifyMessage(bytes, c.key, { now: c.deps.clock.now(), requestMac: signed.mac }) };
  } catch (error) {
    throw new DdnsError('bad-response', `${c.settings.server} answered with a TSIG record ddnsd cannot read`, { cause: error });
  }
}

const answerContext = (c: Context) => ({ server: c.settings.server, zone: c.settings.zone, key: c.key, now: c.deps.clock.now() });

/** The records of one name and type as the server has them. */
interface Found {
  /** False when the server answered the query unsigned: the answer proves nothing. */
  signed: boolean;
  records: { data: string; ttl: number }[];
}

/** The `family` records of `host` (a signed query); a CNAME at the name is a failure of that host. */
async function readRecords(c: Context, host: string, family: Family): Promise<Found | DdnsError> {
  const type = RECORD_TYPE[family];
  const query = encodeMessage({ type: 'query', id: randomInt(0, 0x10000), questions: [{ name: host, type, class: 'IN' }] });
  const { answer, check } = await exchangeSigned(c, query);
  if (check.verdict !== 'unsigned') {
    const failure = judgeSignature(check, answerContext(c));
    if (failure) throw failure;
  }
  if (answer.rcode !== 'NOERROR') return { signed: check.verdict !== 'unsigned', records: [] };
  const here = (answer.answers ?? []).filter((a) => a.name.toLowerCase() === host);
  if (here.some((a) => a.type === 'CNAME')) {
    return new DdnsError('fatal', `${host} is a CNAME in the zone, and a name with a CNAME can hold no ${type} record; remove the CNAME or list another host`);
  }
  const records = here.flatMap((a) => (a.type === type ? [{ data: a.data, ttl: a.ttl ?? 0 }] : []));
  return { signed: check.verdict !== 'unsigned', records };
}

/** The addresses an update wants: the set under wan_mode: all, else its one address. */
const wanted = (u: HostUpdate): string[] => u.addresses ?? [u.address];

/**
 * Whether `u.host` already has exactly the wanted records of its type, one
 * per address, at the TTL wanted. Some servers sign only updates and
 * transfers: an unsigned answer proves nothing either way, so the update is sent.
 */
async function lookUp(c: Context, u: HostUpdate): Promise<'current' | 'due' | DdnsError> {
  const found = await readRecords(c, u.host, u.family);
  if (found instanceof DdnsError) return found;
  if (!found.signed) return 'due';
  const want = wanted(u);
  const exact =
    found.records.length === want.length && found.records.every((r) => r.ttl === c.settings.ttl) && want.every((a) => found.records.some((r) => sameAddress(r.data, a)));
  return exact ? 'current' : 'due';
}

/** Sends one signed UPDATE for `sets` and throws unless the server's signed answer says it was applied. */
async function sendUpdate(c: Context, sets: RecordSet[]): Promise<void> {
  const { answer, check } = await exchangeSigned(c, buildUpdate(randomInt(0, 0x10000), c.settings.zone, sets, c.settings.ttl));
  const failure = judgeAnswer(answer.rcode, check, answerContext(c));
  if (failure) throw failure;
}

/**
 * delete_on_stop: reads each host's records of `families` (counting them),
 * then deletes those RRsets in one UPDATE. A name whose answer came unsigned
 * is deleted too (what it listed is counted); nothing there, nothing sent.
 */
async function removeAll(c: Context, families: readonly Family[]): Promise<number> {
  const names = c.settings.hosts.flatMap((host) => families.map((family) => ({ host, family })));
  const found = await inParallel(names, LOOKUPS_AT_ONCE, (n) => readRecords(c, n.host, n.family));
  const gone = names.filter((_, i) => {
    const f = found[i];
    return f !== undefined && !(f instanceof DdnsError) && (f.records.length > 0 || !f.signed);
  });
  if (gone.length > 0)
    await sendUpdate(
      c,
      gone.map((n) => ({ ...n, addresses: [] })),
    );
  return found.reduce((sum, f) => sum + (f === undefined || f instanceof DdnsError ? 0 : f.records.length), 0);
}

export default defineProvider({
  type: 'rfc2136',
  records: { sets: true, removeOnStop: true, noMarker: 'a DNS record has no field to carry a marker' },
  schema,
  secrets: ['key_secret'],
  create(settings: Settings, deps) {
    const key: TsigKey = { name: settings.key_name, algorithm: settings.key_algorithm, secret: decodeTsigSecret(settings.key_secret) ?? Buffer.alloc(0) };
    const configured = parseDnsServer(settings.server.trim()) as DnsServer;
    return {
      label: 'rfc2136',
      hosts: settings.hosts,
      async removeRecords(families, signal) {
        return removeAll({ deps, settings, key, server: await resolveDnsServer(configured), signal }, families);
      },
      async update({ updates, signal }) {
        const c: Context = { deps, settings, key, server: await resolveDnsServer(configured), signal };
        const found = await inParallel(updates, LOOKUPS_AT_ONCE, (u) => lookUp(c, u));
        const due = updates.filter((_, i) => found[i] === 'due');
        if (due.length > 0)
          await sendUpdate(
            c,
            due.map((u) => ({ host: u.host, family: u.family, addresses: wanted(u) })),
          );
        return updates.map((u, i) => {
          const f = found[i];
          return resultOf(u, f === 'current' ? 'unchanged' : f === 'due' ? 'updated' : (f ?? 'updated'));
        });
      },
    };
  },
});
