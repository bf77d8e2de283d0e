/**
 * Services where every record has a token of its own (FreeDNS sync URLs,
 * ClouDNS dynamic URLs): one host per entry, the A record's `token` and,
 * optionally, the AAAA record's `ipv6_token`, each family sent to its own
 * server, one request per record, the answer read by the service's rules.
 */
import { DdnsError } from '../../src/base/errors.js';
import { readAnswer, type AnswerRule } from './answer.js';
import { sameAddress } from './address.js';
import { endpoint, entrySchema, hostList, limitFamilies, secret, type z } from './schema.js';
import { resultOf, sendGroups } from './results.js';
import type { HostUpdate, Provider, ProviderDeps } from '../../src/base/provider.js';

export interface RecordTokens {
  type: string;
  /** The IPv4 server and the IPv6 server. */
  endpoints: { ipv4: string; ipv6: string };
  /** What each token is, for messages: `the sync token of the A record`. */
  tokens: { ipv4: string; ipv6: string };
  /** Why one host per entry, and what to do when IPv6 is asked without its token. */
  oneHost: string;
  ipv6Missing: string;
}

export function recordTokensSchema(spec: RecordTokens) {
  const shape = {
    token: secret(spec.tokens.ipv4),
    ipv6_token: secret(spec.tokens.ipv6).optional(),
    ipv6_endpoint: endpoint(spec.endpoints.ipv6),
  };
  return limitFamilies(
    entrySchema(spec.type, shape, { endpoint: spec.endpoints.ipv4, hosts: hostList.refine((h) => h.length === 1, { error: spec.oneHost }) }),
    (settings) => (settings.ipv6_token === undefined ? ['ipv4'] : ['ipv4', 'ipv6']),
    () => spec.ipv6Missing,
  );
}

export type RecordTokenSettings = z.infer<ReturnType<typeof recordTokensSchema>>;

export interface RecordRequests {
  label: string;
  rules: readonly AnswerRule[];
  /** The update URL of one record. */
  url(server: string, token: string, address: string): string;
  /** The URL as messages may show it (never the token). */
  describe(url: string): string;
  /** The address a success answer names, where the service names one (FreeDNS): it must be the one sent. */
  named?(text: string): string | undefined;
}

/** The provider: one request per due record, in turn. */
export function updateRecords(settings: RecordTokenSettings, deps: ProviderDeps, spec: RecordRequests): Provider {
  const send = async (u: HostUpdate, signal: AbortSignal) => {
    const [server, token] = u.family === 'ipv4' ? [settings.endpoint, settings.token] : [settings.ipv6_endpoint, settings.ipv6_token ?? ''];
    const url = spec.url(server, token, u.address);
    const what = `${spec.describe(url)} (${u.host} ${u.family === 'ipv4' ? 'A' : 'AAAA'})`;
    const res = await deps.http.request({ url, signal });
    const outcome = readAnswer(res, { what, rules: spec.rules, now: deps.clock.now });
    const named = spec.named?.(res.text);
    if (named !== undefined && !sameAddress(named, u.address)) {
      return [resultOf(u, new DdnsError('bad-response', `${what} answered that the record has ${named}, not the address ${u.address} that was sent; it did not take the update`))];
    }
    return [resultOf(u, outcome)];
  };
  return {
    label: spec.label,
    hosts: settings.hosts,
    update: ({ updates, signal }) =>
      sendGroups(
        updates,
        (u) => send(u, signal),
        (u, error) => [resultOf(u, error)],
      ),
  };
}
