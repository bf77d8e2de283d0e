/**
 * FreeDNS (afraid.org), its "v2" sync interface: every dynamic record has a
 * random token of its own, and GET {endpoint}/u/{token}/?address=IP moves
 * that record. IPv6 records are sent to v6.sync.afraid.org. The answer is a
 * sentence: `Updated … from … to …`, or that the address has not changed;
 * an unknown token gets HTTP 404. The token is in the path, so messages
 * name the server only. The sentence names the address the record now has:
 * an address other than the one sent is a failure, whatever the words.
 */
import { defineProvider, describeOrigin, recordTokensSchema, updateRecords, type AnswerRule, type z } from '../kit/index.js';

export const schema = recordTokensSchema({
  type: 'freedns',
  endpoints: { ipv4: 'https://sync.afraid.org', ipv6: 'https://v6.sync.afraid.org' },
  tokens: { ipv4: 'the sync token of the A record (the part after /u/ in its sync URL)', ipv6: 'the sync token of the AAAA record' },
  oneHost: 'one host per entry: each FreeDNS record has a sync token of its own',
  ipv6Missing: 'FreeDNS needs the AAAA record\'s own sync token for IPv6: add ipv6_token, or remove "ipv6: true"',
});

const ANSWERS: readonly AnswerRule[] = [
  // ddclient.in nic_freedns_update: /Updated.*$h.*to.*$ip/; qdm12/ddns-updater freedns/provider.go: "updated ".
  { match: /^Updated\b/i, means: 'updated' },
  // qdm12/ddns-updater freedns/provider.go: "no ip change detected"; the older sync answer "Address … has not changed".
  { match: /has not changed|No IP change detected/i, means: 'unchanged' },
  // guess: an unknown token gets FreeDNS's 404 page; treated as a credential refusal so a wrong token is not sent every cycle.
  { status: 404, match: /[\s\S]*/, means: 'auth', why: 'FreeDNS does not know this sync token; copy it again from Dynamic DNS → sync URL of the record' },
  // guess: the words FreeDNS answers for the token of a deleted record.
  {
    match: /Couldn't find any matching|Unable to locate this record/i,
    means: 'fatal',
    why: 'the record of this token is gone; create it again in FreeDNS and copy its new sync token',
  },
];

/** The address a FreeDNS answer names: `Updated … to <ip>`, `… with IP <ip>`, `Address <ip> has not changed`. */
export function namedAddress(text: string): string | undefined {
  const m = /\bto ([0-9A-Fa-f:.]+[0-9A-Fa-f])|\bwith IP ([0-9A-Fa-f:.]+[0-9A-Fa-f])|Address ([0-9A-Fa-f:.]+[0-9A-Fa-f]) has not changed/.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

export default defineProvider({
  type: 'freedns',
  schema,
  secrets: ['token', 'ipv6_token'],
  create: (settings: z.infer<typeof schema>, deps) =>
    updateRecords(settings, deps, {
      label: 'freedns',
      rules: ANSWERS,
      url: (server, token, address) => `${server}/u/${encodeURIComponent(token)}/?${new URLSearchParams({ address })}`,
      describe: (url) => `FreeDNS ${describeOrigin(url)}`,
      named: namedAddress,
    }),
});
