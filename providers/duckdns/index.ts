/**
 * DuckDNS (https://www.duckdns.org/spec.jsp).
 * GET {endpoint}/update?domains=a,b&token=T&ip=IPv4&ipv6=IPv6&verbose=true
 * answers `OK` (verbose: the addresses, then UPDATED or NOCHANGE) or `KO`
 * (wrong token or a domain that is not the account's). All hosts of an entry
 * go in one request.
 */
import { DdnsError, defineProvider, describeUrl, entrySchema, hostList, hostsOf, resultsFor, secret, statusFailure, unexpectedAnswer, type z } from '../kit/index.js';

const SUFFIX = '.duckdns.org';

/** `myoffice` and `myoffice.duckdns.org` name the same DuckDNS domain. */
const duckHosts = hostList.transform((hosts) => hosts.map((h) => (h.endsWith(SUFFIX) ? h : `${h}${SUFFIX}`)));

export const schema = entrySchema(
  'duckdns',
  { token: secret('the DuckDNS token') },
  {
    endpoint: 'https://www.duckdns.org',
    hosts: duckHosts.refine((hosts) => hosts.every((h) => !h.slice(0, -SUFFIX.length).includes('.')), {
      error: 'DuckDNS names are one label, e.g. myoffice or myoffice.duckdns.org',
    }),
  },
);

export default defineProvider({
  type: 'duckdns',
  schema,
  secrets: ['token'],
  create(settings: z.infer<typeof schema>, deps) {
    const url = `${settings.endpoint}/update`;
    return {
      label: 'duckdns',
      hosts: settings.hosts,
      async update({ updates, addresses, signal }) {
        const hosts = hostsOf(updates);
        const query = new URLSearchParams({
          domains: hosts.map((h) => h.slice(0, -SUFFIX.length)).join(','),
          token: settings.token,
        });
        // Send every family we know, even one that is not due: without `ip`
        // DuckDNS would take the IPv4 address the request came from.
        if (addresses.ipv4) query.set('ip', addresses.ipv4);
        if (addresses.ipv6) query.set('ipv6', addresses.ipv6);
        query.set('verbose', 'true');

        const what = `DuckDNS ${describeUrl(url)}`;
        const res = await deps.http.request({ url: `${url}?${query}`, signal });
        const failure = statusFailure(res, what, deps.clock.now());
        if (failure) throw failure;
        const lines = res.text
          .trim()
          .split(/\r?\n/)
          .map((l) => l.trim());
        if (res.status === 200 && lines[0] === 'KO') {
          throw new DdnsError('auth', 'DuckDNS answered KO: the token is wrong or a domain is not on this account');
        }
        if (res.status !== 200 || lines[0] !== 'OK') throw unexpectedAnswer(what, res);
        return resultsFor(hosts, addresses, lines.includes('UPDATED') ? 'updated' : 'unchanged');
      },
    };
  },
});
