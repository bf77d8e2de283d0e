/**
 * dynv6 (https://dynv6.com/docs/apis, "Update API").
 * GET {endpoint}/api/update?zone=Z&token=T&ipv4=A&ipv6=B, one request per
 * zone with every address known for the entry (a family left out is kept as
 * it is), and `ipv6prefix` (the detected /64, or the entry's ipv6_prefix_length)
 * for the zone's hosts that have an interface id set at dynv6. Answers `addresses updated` or `addresses unchanged`; a wrong token
 * is 401 `invalid authentication token`, an unknown zone 404 `zone not found`.
 * The token travels in the query string, which messages never show.
 */
import { defineProvider, describeUrl, entrySchema, exchangeText, hostsOf, resultsFor, secret, sendGroups, type AnswerRule, type z } from '../kit/index.js';

export const schema = entrySchema('dynv6', { token: secret('the dynv6 HTTP token') }, { endpoint: 'https://dynv6.com' });

const ANSWERS: readonly AnswerRule[] = [
  { match: /^addresses updated$/, means: 'updated' },
  { match: /^addresses unchanged$/, means: 'unchanged' },
  { status: 401, match: /./, means: 'auth', why: 'the token is wrong or was deleted; create an HTTP token for the zone at dynv6.com → Keys' },
  { status: 404, match: /zone/i, means: 'fatal', why: 'no such zone on this account; hosts are dynv6 zones, e.g. myhome.dynv6.net' },
];

export default defineProvider({
  type: 'dynv6',
  schema,
  secrets: ['token'],
  create(settings: z.infer<typeof schema>, deps) {
    const url = `${settings.endpoint}/api/update`;
    const what = `dynv6 ${describeUrl(url)}`;
    return {
      label: 'dynv6',
      hosts: settings.hosts,
      async update({ updates, addresses, ipv6Prefix, signal }) {
        return sendGroups(
          hostsOf(updates),
          async (zone) => {
            const query = new URLSearchParams({ zone, token: settings.token });
            if (addresses.ipv4) query.set('ipv4', addresses.ipv4);
            if (addresses.ipv6) query.set('ipv6', addresses.ipv6);
            // dynv6 fills in the hosts of the zone that have an interface id set there.
            if (addresses.ipv6 && ipv6Prefix) query.set('ipv6prefix', ipv6Prefix);
            const request = { url: `${url}?${query}`, signal };
            return resultsFor([zone], addresses, await exchangeText(deps.http, { request, what: `${what} (${zone})`, rules: ANSWERS, now: deps.clock.now }));
          },
          (zone, error) => resultsFor([zone], addresses, error),
        );
      },
    };
  },
});
