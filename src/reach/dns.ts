/**
 * The `dns` check: does each host resolve to the current address, at public
 * resolvers and at the zone's own (authoritative) servers? The zone's servers
 * say what the provider published; resolvers say what clients get, and may
 * still hold the old answer until its TTL runs out.
 */
import ipaddr from 'ipaddr.js';
import { describeServer, queryDns, type DnsClient, type DnsServer, type Packet } from '../base/dns.js';
import { zoneCandidates } from '../base/zones.js';
import type { Family } from '../base/address.js';
import { result, type CheckResult } from './result.js';

export interface DnsTarget {
  host: string;
  family: Family;
  /** The current external address of that family. */
  address: string;
  /** Cloudflare proxies the record: it resolves to Cloudflare's addresses by design. */
  proxied: boolean;
}

/** A dns result; `drift` when the zone's own servers hold another address than the one the provider confirmed. */
export type DnsResult = CheckResult & { drift?: true };

export interface DnsCheckOptions {
  dns: DnsClient;
  resolvers: DnsServer[];
  /** true: find the zone's servers by an NS lookup through the resolvers; a list: ask these; false: skip. */
  authoritative: boolean | DnsServer[];
  /** The port the zone's servers are asked on (53; tests use a loopback fake's). */
  authoritativePort?: number;
  required: boolean;
  signal?: AbortSignal;
}

const RECORD = { ipv4: 'A', ipv6: 'AAAA' } as const;

/** What one server answered: the addresses and TTL, or why there is no answer. */
interface Answer {
  server: string;
  addresses?: string[];
  ttl?: number;
  /** The name does not exist there: an answer, not a failure to ask. */
  nxdomain?: boolean;
  error?: string;
}

const same = (a: string, b: string): boolean => ipaddr.isValid(a) && ipaddr.isValid(b) && ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();

async function ask(options: DnsCheckOptions, server: DnsServer, name: string, type: 'A' | 'AAAA', recursion: boolean): Promise<Answer> {
  const where = describeServer(server);
  try {
    const packet = await queryDns(options.dns, server, { name, type, recursion }, options.signal ? { signal: options.signal } : {});
    const rcode = (packet as Packet & { rcode?: string }).rcode ?? 'NOERROR';
    if (rcode === 'NXDOMAIN') return { server: where, addresses: [], nxdomain: true };
    if (rcode !== 'NOERROR') return { server: where, error: `answered ${rcode}` };
    const records = (packet.answers ?? []).filter((a) => a.type === type) as { data: string; ttl?: number }[];
    return { server: where, addresses: records.map((r) => String(r.data)), ...(records.length ? { ttl: Math.min(...records.map((r) => r.ttl ?? 0)) } : {}) };
  } catch (error) {
    return { server: where, error: (error as Error).message };
  }
}

/** The NS names of the closest zone holding `host`, found through the resolvers. */
async function zoneServers(host: string, options: DnsCheckOptions): Promise<{ zone: string; servers: DnsServer[] } | string> {
  for (const zone of zoneCandidates(host)) {
    for (const resolver of options.resolvers) {
      let packet: Packet;
      try {
        packet = await queryDns(options.dns, resolver, { name: zone, type: 'NS' }, options.signal ? { signal: options.signal } : {});
      } catch {
        continue;
      }
      const names = (packet.answers ?? []).filter((a) => a.type === 'NS' && a.name.toLowerCase() === zone.toLowerCase()).map((a) => String((a as { data: string }).data));
      if (names.length === 0) break;
      const servers: DnsServer[] = [];
      for (const name of names) {
        const found = await ask(options, resolver, name, 'A', true);
        for (const address of found.addresses ?? []) servers.push({ host: address, port: options.authoritativePort ?? 53 });
      }
      return servers.length > 0 ? { zone, servers } : `the zone ${zone}'s servers (${names.join(', ')}) have no address`;
    }
  }
  return `no zone servers found for ${host} (no NS records at any parent name)`;
}

const listAnswer = (a: Answer): string => {
  if (a.error) return `${a.server}: ${a.error}`;
  if (a.nxdomain) return `${a.server}: the name does not exist (NXDOMAIN)`;
  return `${a.server}: ${a.addresses?.length ? a.addresses.join(', ') : 'no record'}`;
};

export async function checkDns(targets: readonly DnsTarget[], options: DnsCheckOptions): Promise<DnsResult[]> {
  const zones = new Map<string, Promise<{ zone: string; servers: DnsServer[] } | string>>();
  return Promise.all(
    targets.map(async (t) => {
      const subject = `${t.host} ${RECORD[t.family]}`;
      if (t.proxied) {
        return result(
          'dns',
          subject,
          options.required,
          'skip',
          `${t.host} is proxied by Cloudflare: it resolves to Cloudflare's addresses by design, so there is nothing to compare`,
        );
      }
      let authoritative: DnsServer[] | string | undefined;
      if (Array.isArray(options.authoritative)) authoritative = options.authoritative;
      else if (options.authoritative) {
        const pending = zones.get(t.host) ?? zoneServers(t.host, options);
        zones.set(t.host, pending);
        const found = await pending;
        authoritative = typeof found === 'string' ? found : found.servers;
      }
      const [own, public_] = await Promise.all([
        Array.isArray(authoritative) ? Promise.all(authoritative.map((s) => ask(options, s, t.host, RECORD[t.family], false))) : Promise.resolve(undefined),
        Promise.all(options.resolvers.map((s) => ask(options, s, t.host, RECORD[t.family], true))),
      ]);
      return judge(t, subject, options.required, { own, public: public_, ownProblem: typeof authoritative === 'string' ? authoritative : undefined });
    }),
  );
}

interface Answers {
  /** The zone's own servers, when asked. */
  own: Answer[] | undefined;
  public: Answer[];
  /** Why the zone's servers could not be asked. */
  ownProblem: string | undefined;
}

/** The verdict for one host and record from what every server answered. */
function judge(t: DnsTarget, subject: string, required: boolean, answers: Answers): DnsResult {
  const has = (a: Answer): boolean => (a.addresses ?? []).some((x) => same(x, t.address));
  const wrong = (list: Answer[]): Answer[] => list.filter((a) => !a.error && !has(a));
  const answered = (list: Answer[]): Answer[] => list.filter((a) => !a.error);
  const details = [
    ...(answers.own ?? []).map((a) => `zone server ${listAnswer(a)}`),
    ...(answers.ownProblem ? [`zone servers: ${answers.ownProblem}`] : []),
    ...answers.public.map((a) => `resolver ${listAnswer(a)}`),
  ];
  const say = (verdict: CheckResult['verdict'], summary: string, fix: string | null = null): CheckResult => result('dns', subject, required, verdict, summary, fix, details);
  const own = answers.own ?? [];
  const ownWrong = wrong(own);
  if (ownWrong.length > 0) {
    const seen = ownWrong.map((a) => a.addresses?.join(', ') || 'no record').filter((v, i, all) => all.indexOf(v) === i);
    const found = say(
      'fail',
      `${t.host}'s own DNS servers answer ${seen.join(' / ')}, not ${t.address}: the provider has not published the current address, or someone else changed the record`,
      "ddnsd sends the address again at its next check. If this comes back, another program or the router's own dynamic DNS also updates the record: turn that off, and look at the record in the provider's web panel.",
    );
    return { ...found, drift: true };
  }
  const publicWrong = wrong(answers.public);
  const reached = answered(answers.public);
  if (reached.length === 0 && answered(own).length === 0) {
    return say(
      'warn',
      `no DNS server answered about ${t.host}, so ddnsd cannot tell whether it resolves`,
      'Check that this machine may send DNS queries (UDP and TCP port 53) to the servers in checks.dns.resolvers.',
    );
  }
  if (publicWrong.length > 0) {
    const ttl = Math.max(...publicWrong.map((a) => a.ttl ?? 0), ...own.map((a) => a.ttl ?? 0));
    const servers = publicWrong.map((a) => a.server).join(', ');
    if (answered(own).length > 0) {
      return say(
        'warn',
        `${t.host} is published as ${t.address}, but ${servers} still answer${publicWrong.length === 1 ? 's' : ''} the old address: the change is still spreading`,
        `Nothing to do: resolvers keep an old answer for up to its time to live${ttl ? ` (${ttl} s)` : ''}. If it lasts much longer, ask the provider.`,
      );
    }
    return say(
      'fail',
      `${t.host} does not resolve to ${t.address} at ${servers}`,
      "Look at the record in the provider's web panel and run `ddnsd once`; if the provider says it is set, wait for its time to live to pass.",
    );
  }
  const where = [answered(own).length ? 'its own DNS servers' : '', reached.length ? reached.map((a) => a.server).join(', ') : ''].filter(Boolean).join(' and ');
  return say('pass', `${t.host} resolves to ${t.address} at ${where}`);
}
