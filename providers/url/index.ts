/**
 * Any service updated by one URL: a GET (or POST) whose URL, and body for a
 * POST, are templates with {host}, {ipv4}, {ipv6} and {ip} (the address of
 * the family being sent). The answer is judged by the entry's patterns:
 * `success`, and optionally `unchanged`, `auth` and `refused`. ydns, selfHOST and most
 * small services fit; the URL usually holds a token, so the whole template
 * is a secret, so is every part of it that looks like one (an answer may
 * echo the token alone), and messages name only its server.
 *
 * Requests: one per host when the template names {host} (else one for all
 * hosts), and one per family when it names {ip} (else every address at once).
 */
import {
  defineProvider,
  describeOrigin,
  FAMILIES,
  hostsOf,
  limitFamilies,
  plainEntrySchema,
  readAnswer,
  resultsFor,
  secret,
  sendGroups,
  z,
  type Addresses,
  type AnswerRule,
  type Family,
  type UpdateRequest,
} from '../kit/index.js';
import { fill, PLACEHOLDERS, placeholders, secretParts, urlProblem } from './template.js';

const pattern = (what: string) =>
  z.string({ error: `expected ${what} (a regular expression, e.g. "^(good|OK)")` }).superRefine((value, ctx) => {
    try {
      new RegExp(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a regular expression: ${(error as Error).message}` });
    }
  });

const template = z.string({ error: 'expected a template' }).superRefine((value, ctx) => {
  const unknown = placeholders(value).filter((p) => !PLACEHOLDERS.includes(p));
  if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${unknown[0]}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` });
});

const shape = {
  url: secret('the update URL')
    .pipe(template)
    .superRefine((value, ctx) => {
      const problem = urlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  method: z.enum(['GET', 'POST'], { error: 'expected GET or POST' }).default('GET'),
  body: template.optional(),
  username: z.string().optional(),
  password: secret('the password').optional(),
  success: pattern('the pattern of a successful answer'),
  unchanged: pattern('the pattern of an "already had this address" answer').optional(),
  auth: pattern('the pattern of an answer refusing the credentials').optional(),
  refused: pattern('the pattern of an answer refusing the update for good (an unknown host, say)').optional(),
};

/** The families a template can carry: {ip} carries both, {ipv4} and {ipv6} one each. */
const familiesOf = (s: { url: string; body?: string | undefined }): Family[] => {
  const named = placeholders(`${s.url} ${s.body ?? ''}`);
  return FAMILIES.filter((f) => named.includes(f) || named.includes('ip'));
};

export const schema = limitFamilies(
  // The URL is the endpoint: plainEntrySchema has no `endpoint` key.
  plainEntrySchema('url', shape),
  familiesOf,
  (family) => `the URL template has no {${family}} or {ip}, so this entry cannot update ${family === 'ipv4' ? 'IPv4' : 'IPv6'}; add one, or remove "${family}: true"`,
);

type Settings = z.infer<typeof schema>;

function rulesOf(settings: Settings): AnswerRule[] {
  const rules: AnswerRule[] = [];
  if (settings.auth !== undefined) {
    rules.push({
      status: 'any',
      match: new RegExp(settings.auth),
      means: 'auth',
      why: "the answer matches the entry's auth pattern: the credentials in the URL are wrong; fix them in the config",
    });
  }
  if (settings.refused !== undefined) {
    rules.push({ status: 'any', match: new RegExp(settings.refused), means: 'fatal', why: "the answer matches the entry's refused pattern; check the hosts and the URL" });
  }
  if (settings.unchanged !== undefined) rules.push({ match: new RegExp(settings.unchanged), means: 'unchanged' });
  rules.push({ match: new RegExp(settings.success), means: 'updated' });
  return rules;
}

interface Group {
  hosts: string[];
  addresses: Addresses;
}

/** The requests an update needs, by what the template names. */
function groupsOf(settings: Settings, request: UpdateRequest): Group[] {
  const named = placeholders(`${settings.url} ${settings.body ?? ''}`);
  const hosts = hostsOf(request.updates);
  const hostGroups = named.includes('host') ? hosts.map((h) => [h]) : [hosts];
  return hostGroups.flatMap((group) => {
    if (!named.includes('ip')) return [{ hosts: group, addresses: request.addresses }];
    const due = new Set(request.updates.filter((u) => group.includes(u.host)).map((u) => u.family));
    return FAMILIES.filter((f) => due.has(f) && request.addresses[f]).map((f) => ({ hosts: group, addresses: { [f]: request.addresses[f] } }));
  });
}

export default defineProvider({
  type: 'url',
  schema,
  secrets: ['url', 'password', 'body'],
  secretParts: (settings: Settings) => [...secretParts(settings.url), ...(settings.body === undefined ? [] : secretParts(settings.body, true))],
  create(settings: Settings, deps) {
    const rules = rulesOf(settings);
    // Longest first, so a part that contains another goes whole.
    const parts = [...new Set([settings.url, settings.body ?? '', settings.password ?? '', ...secretParts(settings.url), ...secretParts(settings.body ?? '', true)])]
      .filter((p) => p.length >= 4)
      .sort((a, b) => b.length - a.length);
    // An answer may echo the request: its secret parts go before the answer is quoted (and cut) in a message.
    const scrub = (text: string): string => parts.reduce((t, p) => t.split(p).join('[redacted]'), text);
    const what = `the update URL ${describeOrigin(settings.url.replace(/\{[a-z0-9]+\}/g, 'x'))}`;
    const headers: Record<string, string> = {};
    if (settings.username !== undefined || settings.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${settings.username ?? ''}:${settings.password ?? ''}`).toString('base64')}`;
    }
    if (settings.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const send = async (group: Group, signal: AbortSignal) => {
      const values = { host: group.hosts[0] ?? '', ipv4: group.addresses.ipv4 ?? '', ipv6: group.addresses.ipv6 ?? '', ip: group.addresses.ipv4 ?? group.addresses.ipv6 ?? '' };
      const request = {
        url: fill(settings.url, values, encodeURIComponent),
        method: settings.method,
        headers,
        signal,
        secretPath: true,
        ...(settings.body === undefined ? {} : { body: fill(settings.body, values, (v) => v) }),
      };
      const res = await deps.http.request(request);
      return resultsFor(group.hosts, group.addresses, readAnswer({ ...res, text: scrub(res.text) }, { what, rules, now: deps.clock.now }));
    };
    return {
      label: 'url',
      hosts: settings.hosts,
      update: (request) =>
        sendGroups(
          groupsOf(settings, request),
          (g) => send(g, request.signal),
          (g, error) => resultsFor(g.hosts, g.addresses, error),
        ),
    };
  },
});
