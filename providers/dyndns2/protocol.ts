/**
 * The dyndns2 update protocol, once for every service that speaks it (No-IP,
 * Dyn, Dynu, ChangeIP, many routers' and registrars' endpoints):
 *
 *   GET {endpoint}/nic/update?hostname=h1,h2&myip=IPv4[,IPv6]
 *   Authorization: Basic base64(username:password)
 *
 * Services differ in small ways, described by a Variant: the path, how the
 * addresses are named (`myip`, `myipv4`/`myipv6`, `ip`/`ip6`), whether one
 * request may carry several hosts, and whether a family that is not sent
 * must be sent as `preserve` (some services delete it otherwise).
 *
 * The answer has one line per hostname, in the order they were sent:
 * `good <ip>` or `nochg <ip>` for success, otherwise a code saying why not.
 * A code that concerns the whole request (`badauth`, `911`, …) may come as a
 * single line for all hosts. ANSWER_CODES (src/base/dyndns2.ts, through the
 * kit) is the one table of those codes, shared with ddnsd's own dyndns2
 * endpoint for routers.
 */
import {
  ANSWER_CODES,
  DdnsError,
  describeUrl,
  FAMILIES,
  hostsOf,
  quoteAnswer,
  resultsFor,
  parseJson,
  sameAddress,
  sendGroups,
  unexpectedAnswer,
  withLimitHint,
  statusFailure,
  type Addresses,
  type AnswerCode,
  type Clock,
  type Family,
  type HostResult,
  type HttpClient,
  type UpdateRequest,
} from '../kit/index.js';
import { STANDARD, type Variant } from './presets.js';

export interface Dyndns2Target {
  /** What the service is called in messages: `No-IP`, `the dyndns2 server`. */
  service: string;
  endpoint: string;
  /** Absent for services that take only a key (`basic-host`, `param`). */
  username?: string | undefined;
  /** The password or key. */
  password: string;
  variant?: Variant;
  /** The User-Agent for services that ask for one naming a contact (`agentContact`). */
  userAgent?: string | undefined;
}

/** The URL and headers of one update request for one or several hosts. */
export function buildUpdateRequest(target: Dyndns2Target, hosts: readonly string[], addresses: Addresses): { url: string; headers: Record<string, string> } {
  const variant = target.variant ?? STANDARD;
  const query = new URLSearchParams({ ...variant.fixedParams, hostname: hosts.join(',') });
  if (variant.addressParams === 'myip') {
    const myip = FAMILIES.map((f) => addresses[f]).filter((a): a is string => a !== undefined);
    // Without myip the service would take the address the request came from.
    if (myip.length > 0) query.set('myip', myip.join(','));
  } else {
    for (const family of FAMILIES) {
      const address = addresses[family] ?? (variant.preserveOmitted ? 'preserve' : variant.omitted?.[family]);
      // Several addresses (wan_mode: all) as the service lists them: `a,b`.
      if (address !== undefined) query.set(variant.addressParams[family], listOf(address).join(','));
    }
  }
  const auth = variant.auth ?? 'basic';
  if (typeof auth === 'object') query.set(auth.param, target.password);
  const username = auth === 'basic-host' ? hosts[0] : target.username;
  const basic = Buffer.from(`${username ?? ''}:${target.password}`).toString('base64');
  const headers: Record<string, string> = typeof auth === 'object' ? {} : { authorization: `Basic ${basic}` };
  if (target.userAgent !== undefined) headers['user-agent'] = target.userAgent;
  return { url: `${target.endpoint}${variant.path}?${query.toString().replace(/%2C/g, ',')}`, headers };
}

/** The addresses in `a, b` (wan_mode: all joins them so); one address is a list of one, an empty value none. */
const listOf = (addresses: string): string[] =>
  addresses
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');

export interface Answer {
  code: string;
  /** What follows `good` or `nochg`: the address(es) the service now has. */
  detail: string;
}

/** No-IP and the dyndns2 specification: after `911`, wait at least 30 minutes. */
export const TROUBLE_PAUSE_MS = 30 * 60_000;

/** A service's codes: its own table over the standard one. */
function codeOf(code: string, codes: Variant['codes']): AnswerCode | undefined {
  return codes?.[code] ?? ANSWER_CODES[code];
}

/**
 * The answer lines, one per host. A single line about the whole request
 * (`badauth`, `911`, …) applies to every host; a single line about one host
 * (`good`, `nohost`) is the first host's, and the others count as unanswered.
 */
export function parseAnswers(text: string, hosts: readonly string[], codes?: Variant['codes'], oneAnswer = false): (Answer | undefined)[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const answers = lines.map((line): Answer => {
    const space = line.indexOf(' ');
    return space < 0 ? { code: line, detail: '' } : { code: line.slice(0, space), detail: line.slice(space + 1).trim() };
  });
  const only = answers.length === 1 ? answers[0] : undefined;
  if (only && (oneAnswer || codeOf(only.code, codes)?.perHost !== true)) return hosts.map(() => only);
  return hosts.map((_, i) => answers[i]);
}

/** The failure an answer means, or undefined for `good` / `nochg`. */
export function answerFailure(answer: Answer | undefined, host: string, service: string, codes?: Variant['codes']): DdnsError | undefined {
  if (answer === undefined) return new DdnsError('bad-response', `${service} gave no answer line for ${host}`);
  const meaning = codeOf(answer.code, codes);
  if (!meaning) return new DdnsError('bad-response', `${service} gave an unexpected answer for ${host}: ${quoteAnswer(answer.code, 40)}`);
  if (meaning.kind === 'ok') return undefined;
  const message = `${service} answered ${answer.code} for ${host}: ${meaning.why}`;
  return meaning.kind === 'server'
    ? new DdnsError('server', `${message}; ddnsd waits at least 30 minutes before trying again`, { retryAfterMs: TROUBLE_PAUSE_MS })
    : new DdnsError(meaning.kind, message);
}

export interface Dyndns2Deps {
  http: HttpClient;
  clock: Clock;
}

/**
 * Sends the due hosts of an entry (in one request, in one per domain, or one
 * per host, as the service takes them, at most `maxHostsPerRequest` each;
 * both families at once, or one request per due family when the service
 * takes one address per request), and turns the answer lines into one
 * result per host and family. When one of several requests fails as a
 * whole, its hosts fail; after a rate limit or a credential refusal the rest
 * are not sent.
 */
export async function updateHosts(target: Dyndns2Target, deps: Dyndns2Deps, request: UpdateRequest): Promise<HostResult[]> {
  const variant = target.variant ?? STANDARD;
  const groups = hostGroups(variant, hostsOf(request.updates)).flatMap((group) =>
    familyGroups(variant, group, request, addressesFor(group, request)).map((addresses) => ({ hosts: group, addresses })),
  );
  // Requests that share one credential share its refusal: the first tells for all.
  const shared = groups.length > 1 && variant.auth !== 'basic-host';
  return sendGroups(
    groups,
    (g) => send(target, deps, g.hosts, g.addresses, request.signal, shared),
    (g, error) => resultsFor(g.hosts, g.addresses, error),
  );
}

/** The hosts each request carries: all, those of one domain, or one; cut to the service's cap. */
export function hostGroups(variant: Variant, hosts: readonly string[]): string[][] {
  if (variant.hostsPerRequest === 'one') return hosts.map((h) => [h]);
  const byKey = new Map<string, string[]>();
  for (const host of hosts) {
    const key = variant.hostsPerRequest === 'domain' ? domainOf(host) : '';
    byKey.set(key, [...(byKey.get(key) ?? []), host]);
  }
  const most = variant.maxHostsPerRequest ?? Infinity;
  return [...byKey.values()].flatMap((group) => {
    const parts: string[][] = [];
    for (let i = 0; i < group.length; i += most) parts.push(group.slice(i, i + most));
    return parts;
  });
}

/**
 * The domain a host belongs to, as deSEC counts its update limit: a name
 * under dedyn.io is `name.dedyn.io` (one label under the public suffix);
 * guess: for other domains the last two labels, since the public suffix list
 * is not at hand (a domain under a two-label suffix such as example.co.uk
 * would be grouped too widely; deSEC then refuses that request as a whole).
 */
export function domainOf(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const size = labels.slice(-2).join('.') === 'dedyn.io' ? 3 : 2;
  return labels.slice(-size).join('.');
}

/**
 * The addresses a request for these hosts sets: every one detected, and
 * under wan_mode: all (`addresses` on an update) the due family's whole set.
 */
function addressesFor(hosts: readonly string[], request: UpdateRequest): Addresses {
  const out: Addresses = { ...request.addresses };
  for (const u of request.updates) if (u.addresses !== undefined && hosts.includes(u.host)) out[u.family] = u.address;
  return out;
}

/** The addresses each request for these hosts carries: all known at once, or each due family alone. */
function familyGroups(variant: Variant, hosts: readonly string[], request: UpdateRequest, known: Addresses): Addresses[] {
  if (variant.familiesPerRequest !== 'one') return [known];
  const due = new Set(request.updates.filter((u) => hosts.includes(u.host)).map((u) => u.family));
  return FAMILIES.filter((f) => due.has(f) && known[f] !== undefined).map((f) => ({ [f]: known[f] }));
}

/** Sends one request and returns its answer line per host, or throws what an answer outside the protocol means. */
async function ask(target: Dyndns2Target, deps: Dyndns2Deps, hosts: readonly string[], addresses: Addresses, signal: AbortSignal): Promise<(Answer | undefined)[]> {
  const variant = target.variant ?? STANDARD;
  const { url, headers } = buildUpdateRequest(target, hosts, addresses);
  const what = `${target.service} ${describeUrl(url)}`;
  const res = await deps.http.request({ url, headers, signal });
  const text = variant.jsonAnswers ? jsonAnswerLine(res.text) : res.text;
  const answers = parseAnswers(text, hosts, variant.codes, variant.oneAnswer);
  // Some services send `badauth` with HTTP 401, `nohost` with 404: the answer line says more than the status.
  const first = answers[0]?.code ?? '';
  const spoken = res.status === 200 || ([401, 403, 404].includes(res.status) && codeOf(first, variant.codes) !== undefined);
  if (!spoken) {
    const failure = statusFailure(res, what, deps.clock.now());
    if (failure) throw withLimitHint(failure, variant.limit);
    throw unexpectedAnswer(what, res);
  }
  return answers;
}

/**
 * One request's results. With `shared` (one of several requests under one
 * credential), an answer about the whole request that is a refused
 * credential or trouble on the service's side is thrown instead, so that
 * the requests not yet sent fail the same way without being sent.
 */
async function send(target: Dyndns2Target, deps: Dyndns2Deps, hosts: string[], addresses: Addresses, signal: AbortSignal, shared: boolean): Promise<HostResult[]> {
  const codes = target.variant?.codes;
  const answers = await ask(target, deps, hosts, addresses, signal);
  const first = answers[0];
  const meaning = first && codeOf(first.code, codes);
  const refusal = shared && meaning && !meaning.perHost && (meaning.kind === 'auth' || meaning.kind === 'server');
  const failure = refusal ? answerFailure(first, `the ${hosts.length} hosts of one request`, target.service, codes) : undefined;
  if (failure) throw failure;
  return hosts.flatMap((host, i) => hostResults(target.service, host, answers[i], addresses, codes));
}

/**
 * delete_on_stop, for services where an empty address deletes (`emptyDeletes`):
 * one request per group of hosts, as updates go, with `families` empty and
 * the others kept (`preserve`). Throws the first refusal.
 */
export async function removeFamilies(target: Dyndns2Target, deps: Dyndns2Deps, hosts: readonly string[], families: readonly Family[], signal: AbortSignal): Promise<void> {
  const variant = target.variant ?? STANDARD;
  const cleared: Addresses = Object.fromEntries(families.map((f) => [f, '']));
  for (const group of hostGroups(variant, hosts)) {
    const answers = await ask(target, deps, group, cleared, signal);
    const failure = group.map((host, i) => answerFailure(answers[i], host, target.service, variant.codes)).find((f) => f !== undefined);
    if (failure) throw failure;
  }
}

/**
 * A JSON answer as the answer line it stands for: ipv64.net answers
 * `{"info":"good","status":"success"}` (or `badauth`, … in `info`); the code
 * is `info`. Anything that is not such JSON is returned as it came.
 */
export function jsonAnswerLine(text: string): string {
  const json = parseJson(text.trim());
  if (typeof json !== 'object' || json === null) return text;
  const info = (json as { info?: unknown }).info;
  return typeof info === 'string' && info.trim() !== '' ? info.trim() : text;
}

/** The results of one host's answer line, per family sent. */
function hostResults(service: string, host: string, answer: Answer | undefined, addresses: Addresses, codes: Variant['codes']): HostResult[] {
  const error = answerFailure(answer, host, service, codes);
  return FAMILIES.flatMap((family): HostResult[] => {
    const address = addresses[family];
    if (!address) return [];
    const failure = error ?? wrongAddress(service, host, answer?.code ?? '', answer?.detail ?? '', family, address);
    if (failure) return [{ host, family, outcome: 'failed', error: failure }];
    return [{ host, family, address, outcome: answer?.code === 'good' ? 'updated' : 'unchanged' }];
  });
}

/** A success answer that names another address of this family than the one sent: the service did not take it. */
function wrongAddress(service: string, host: string, code: string, detail: string, family: Family, sent: string): DdnsError | undefined {
  const wrong = otherAddress(detail, family, sent);
  if (!wrong) return undefined;
  return new DdnsError('bad-response', `${service} answered ${code} for ${host} but names ${wrong}, not the ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address ${sent} that was sent`);
}

/**
 * A success answer names the address(es) the service now has. When it names
 * some of this family and none of those sent, returns one: the service did
 * not take the address, whatever the code says.
 */
function otherAddress(detail: string, family: Family, sent: string): string | undefined {
  const named = listOf(detail).filter((a) => a.includes(':') === (family === 'ipv6'));
  if (named.length === 0 || named.some((a) => listOf(sent).some((s) => sameAddress(a, s)))) return undefined;
  return named[0];
}
