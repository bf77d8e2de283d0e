/**
 * RFC 2136 DNS UPDATE, signed with a TSIG key (RFC 8945), to an
 * authoritative server such as BIND, Knot or PowerDNS. Before sending,
 * ddnsd asks the server for each due host's current record (a query signed
 * with the same key, so a wrong key shows at once and a forged answer cannot
 * hold an update back) and leaves alone what already has the address;
 * everything else goes in one signed UPDATE per entry, whose signed answer
 * is verified.
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
  type HostUpdate,
  type ProviderDeps,
  type TsigCheck,
  type TsigKey,
} from '../kit/index.js';
import { judgeAnswer, judgeSignature } from './answer.js';
import { buildUpdate } from './message.js';
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

/** Whether `u.host` already has exactly one record of its type, at the address and TTL wanted (a signed query). */
async function lookUp(c: Context, u: HostUpdate): Promise<'current' | 'due' | DdnsError> {
  const type = RECORD_TYPE[u.family];
  const query = encodeMessage({ type: 'query', id: randomInt(0, 0x10000), questions: [{ name: u.host, type, class: 'IN' }] });
  const { answer, check } = await exchangeSigned(c, query);
  // Some servers sign only updates and transfers: an unsigned answer proves nothing either way, so the update is sent.
  if (check.verdict === 'unsigned') return 'due';
  const failure = judgeSignature(check, answerContext(c));
  if (failure) throw failure;
  if (answer.rcode !== 'NOERROR') return 'due';
  const here = (answer.answers ?? []).filter((a) => a.name.toLowerCase() === u.host);
  if (here.some((a) => a.type === 'CNAME')) {
    return new DdnsError('fatal', `${u.host} is a CNAME in the zone, and a name with a CNAME can hold no ${type} record; remove the CNAME or list another host`);
  }
  const records = here.flatMap((a) => (a.type === type ? [a] : []));
  const only = records.length === 1 ? records[0] : undefined;
  return only !== undefined && only.ttl === c.settings.ttl && sameAddress(only.data, u.address) ? 'current' : 'due';
}

/** Sends one signed UPDATE for `due` and throws unless the server's signed answer says it was applied. */
async function sendUpdate(c: Context, due: HostUpdate[]): Promise<void> {
  const { answer, check } = await exchangeSigned(c, buildUpdate(randomInt(0, 0x10000), c.settings.zone, due, c.settings.ttl));
  const failure = judgeAnswer(answer.rcode, check, answerContext(c));
  if (failure) throw failure;
}

export default defineProvider({
  type: 'rfc2136',
  schema,
  secrets: ['key_secret'],
  create(settings: Settings, deps) {
    const key: TsigKey = { name: settings.key_name, algorithm: settings.key_algorithm, secret: decodeTsigSecret(settings.key_secret) ?? Buffer.alloc(0) };
    const configured = parseDnsServer(settings.server.trim()) as DnsServer;
    return {
      label: 'rfc2136',
      hosts: settings.hosts,
      async update({ updates, signal }) {
        const c: Context = { deps, settings, key, server: await resolveDnsServer(configured), signal };
        const found = await inParallel(updates, LOOKUPS_AT_ONCE, (u) => lookUp(c, u));
        const due = updates.filter((_, i) => found[i] === 'due');
        if (due.length > 0) await sendUpdate(c, due);
        return updates.map((u, i) => {
          const f = found[i];
          return resultOf(u, f === 'current' ? 'unchanged' : f === 'due' ? 'updated' : (f ?? 'updated'));
        });
      },
    };
  },
});
