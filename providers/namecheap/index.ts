/**
 * Namecheap dynamic DNS (IPv4 only):
 * GET {endpoint}/update?host=H&domain=D&password=P&ip=A, one request per
 * host, `host` relative to the domain (`@` for the domain itself). The
 * answer is HTTP 200 with an XML <interface-response> whose <ErrCount> says
 * whether it worked and <Err1> why not.
 */
import {
  DdnsError,
  defineProvider,
  describeUrl,
  entrySchema,
  hostname,
  judgeAnswer,
  limitFamilies,
  relativeName,
  resultOf,
  ruleFailure,
  secret,
  sendGroups,
  statusFailure,
  unexpectedAnswer,
  type AnswerRule,
  type HostUpdate,
  type HttpResponse,
  type z,
} from '../kit/index.js';

const base = entrySchema(
  'namecheap',
  { domain: hostname, password: secret('the Dynamic DNS password of the domain (Advanced DNS → Dynamic DNS)') },
  { endpoint: 'https://dynamicdns.park-your-domain.com' },
).superRefine((settings, ctx) => {
  const outside = settings.hosts.find((h) => h !== settings.domain && !h.endsWith(`.${settings.domain}`));
  if (outside) ctx.addIssue({ code: 'custom', path: ['hosts'], message: `${outside} is not ${settings.domain} or a name under it; one entry per Namecheap domain` });
});

export const schema = limitFamilies(
  base,
  () => ['ipv4'],
  () => 'Namecheap\'s dynamic DNS updates IPv4 only (A records); remove "ipv6: true" and keep the AAAA record another way',
);

/**
 * What <Err1> says, as Namecheap words it. Namecheap documents no error list:
 * these words are what users report (ddclient and ddns-updater only test
 * ErrCount / Err1). The password and the missing record stop the host, as
 * the answers that can only mean a fix in the account; the domain refusal is
 * retried later with a growing pause, since it is the least certain.
 */
const ERRORS: readonly AnswerRule[] = [
  { match: /Passwords do not match/i, means: 'auth', why: 'the Dynamic DNS password is wrong; copy it again from Advanced DNS → Dynamic DNS (it is not the account password)' },
  { match: /A record not Found/i, means: 'fatal', why: 'the domain has no A + Dynamic DNS record for this host; add one in Advanced DNS' },
  { match: /Domain name not (found|active)/i, means: 'bad-response', why: 'the domain is not on this Namecheap account or dynamic DNS is off for it; ddnsd tries again later' },
];

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]?.trim();

/** The outcome of an answer, or the failure it means. */
function readAnswer(res: HttpResponse, what: string, now: number): 'updated' {
  const failure = statusFailure(res, what, now);
  if (failure) throw failure;
  const count = tag(res.text, 'ErrCount');
  if (res.status !== 200 || count === undefined || !/^\d+$/.test(count)) throw unexpectedAnswer(what, res);
  if (count === '0') return 'updated';
  const error = tag(res.text, 'Err1') ?? '';
  const rule = judgeAnswer(ERRORS, 200, error);
  throw (rule && ruleFailure(rule, what, error)) ?? new DdnsError('bad-response', `${what} answered an error ddnsd does not know: ${JSON.stringify(error.slice(0, 80))}`);
}

export default defineProvider({
  type: 'namecheap',
  schema,
  secrets: ['password'],
  create(settings: z.infer<typeof schema>, deps) {
    const url = `${settings.endpoint}/update`;
    const send = async (u: HostUpdate, signal: AbortSignal) => {
      const query = new URLSearchParams({ host: relativeName(u.host, settings.domain), domain: settings.domain, password: settings.password, ip: u.address });
      const what = `Namecheap ${describeUrl(url)} (${u.host})`;
      const res = await deps.http.request({ url: `${url}?${query}`, signal });
      return [resultOf(u, readAnswer(res, what, deps.clock.now()))];
    };
    return {
      label: 'namecheap',
      hosts: settings.hosts,
      update: ({ updates, signal }) =>
        sendGroups(
          updates.filter((u) => u.family === 'ipv4'),
          (u) => send(u, signal),
          (u, error) => [resultOf(u, error)],
        ),
    };
  },
});
