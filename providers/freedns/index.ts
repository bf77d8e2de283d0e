/**
 * FreeDNS (afraid.org), its "v2" sync interface: every dynamic record has a
 * random token of its own, and GET {endpoint}/u/{token}/?address=IP moves
 * that record. IPv6 records are sent to v6.sync.afraid.org. The answer is a
 * sentence: `Updated … from … to …`, or that the address has not changed;
 * an unknown token gets HTTP 404. The token is in the path, so messages
 * name the server only.
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
  { match: /^Updated\b/i, means: 'updated' },
  { match: /has not changed|No IP change detected/i, means: 'unchanged' },
  { status: 404, match: /[\s\S]*/, means: 'auth', why: 'FreeDNS does not know this sync token; copy it again from Dynamic DNS → sync URL of the record' },
  { match: /Couldn't find any matching|Unable to locate this record/i, means: 'fatal', why: 'the record of this token is gone; create it again in FreeDNS and copy its new sync token' },
];

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
    }),
});
