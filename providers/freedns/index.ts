/**
 * FreeDNS (afraid.org), its "v2" sync interface: every dynamic record has a
 * random token of its own, and GET {endpoint}/u/{token}/?address=IP moves
 * that record. IPv6 records are sent to v6.sync.afraid.org. The answer is a
 * sentence: `Updated … from … to …`, or that the address has not changed;
 * an unknown token gets HTTP 404. The token is in the path, so messages
 * name the server only.
 */
import {
  defineProvider,
  describeOrigin,
  endpoint,
  entrySchema,
  exchangeText,
  hostList,
  limitFamilies,
  resultOf,
  secret,
  sendInTurn,
  type AnswerRule,
  type HostUpdate,
  type z,
} from '../kit/index.js';

const shape = {
  token: secret('the sync token of the A record (the part after /u/ in its sync URL)'),
  ipv6_token: secret('the sync token of the AAAA record').optional(),
  ipv6_endpoint: endpoint('https://v6.sync.afraid.org'),
};

export const schema = limitFamilies(
  entrySchema('freedns', shape, {
    endpoint: 'https://sync.afraid.org',
    hosts: hostList.refine((hosts) => hosts.length === 1, { error: 'one host per entry: each FreeDNS record has a sync token of its own' }),
  }),
  (settings) => (settings.ipv6_token === undefined ? ['ipv4'] : ['ipv4', 'ipv6']),
  () => 'FreeDNS needs the AAAA record\'s own sync token for IPv6: add ipv6_token, or remove "ipv6: true"',
);

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
  create(settings: z.infer<typeof schema>, deps) {
    const target = (u: HostUpdate) =>
      u.family === 'ipv4' ? { server: settings.endpoint, token: settings.token } : { server: settings.ipv6_endpoint, token: settings.ipv6_token ?? '' };
    const send = async (u: HostUpdate, signal: AbortSignal) => {
      const { server, token } = target(u);
      const url = `${server}/u/${encodeURIComponent(token)}/?${new URLSearchParams({ address: u.address })}`;
      const what = `FreeDNS ${describeOrigin(url)} (${u.host} ${u.family === 'ipv4' ? 'A' : 'AAAA'})`;
      return [resultOf(u, await exchangeText(deps.http, { request: { url, signal }, what, rules: ANSWERS, now: deps.clock.now }))];
    };
    return {
      label: 'freedns',
      hosts: settings.hosts,
      update: ({ updates, signal }) => sendInTurn(updates, (u) => send(u, signal), (u, error) => [resultOf(u, error)]),
    };
  },
});
