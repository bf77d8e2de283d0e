/**
 * ClouDNS dynamic URLs: every dynamic record has a URL of its own,
 * GET {endpoint}/api/dynamicURL/?q={token}, with `&ip=` to name the address
 * instead of the one the request comes from. A records are sent to
 * ipv4.cloudns.net, AAAA records to ipv6.cloudns.net. The answer is `OK`;
 * a token ClouDNS does not know gets `Invalid request.` or `The record's key
 * is wrong!` (ddclient.in nic_cloudns_update fails on exactly these two). The
 * token is a secret.
 */
import { defineProvider, describeUrl, recordTokensSchema, updateRecords, type AnswerRule, type z } from '../kit/index.js';

export const schema = recordTokensSchema({
  type: 'cloudns',
  endpoints: { ipv4: 'https://ipv4.cloudns.net', ipv6: 'https://ipv6.cloudns.net' },
  tokens: { ipv4: "the A record's dynamic URL token (the q= value)", ipv6: "the AAAA record's dynamic URL token" },
  oneHost: 'one host per entry: each ClouDNS record has a dynamic URL of its own',
  ipv6Missing: 'ClouDNS needs the AAAA record\'s own dynamic URL for IPv6: add ipv6_token (its q= value), or remove "ipv6: true"',
});

const WRONG_TOKEN = 'ClouDNS does not know this token; copy the dynamic URL of the record again (DNS zone → the record → Dynamic URL)';

const ANSWERS: readonly AnswerRule[] = [
  // guess: ClouDNS documents no answers (ddclient.in nic_cloudns_update: "There's no documentation explaining possible return values").
  { match: /^OK$/, means: 'updated' },
  // ddclient.in nic_cloudns_update: the two answers it treats as a refused key.
  { match: /^Invalid request\.?$/i, means: 'auth', why: WRONG_TOKEN },
  { match: /^The record's key is wrong!?$/i, means: 'auth', why: WRONG_TOKEN },
];

export default defineProvider({
  type: 'cloudns',
  schema,
  secrets: ['token', 'ipv6_token'],
  create: (settings: z.infer<typeof schema>, deps) =>
    updateRecords(settings, deps, {
      label: 'cloudns',
      rules: ANSWERS,
      url: (server, token, ip) => `${server}/api/dynamicURL/?${new URLSearchParams({ q: token, ip })}`,
      describe: (url) => `ClouDNS ${describeUrl(url)}`,
    }),
});
