/**
 * The dyndns2 update protocol, once for every service that speaks it (No-IP,
 * Dyn, Dynu, ChangeIP, many routers' and registrars' endpoints):
 *
 *   GET {endpoint}/nic/update?hostname=h1,h2&myip=IPv4[,IPv6]
 *   Authorization: Basic base64(username:password)
 *
 * The answer has one line per hostname, in the order they were sent:
 * `good <ip>` or `nochg <ip>` for success, otherwise a code saying why not.
 * A code that concerns the whole request (`badauth`, `911`, …) may come as a
 * single line for all hosts.
 */
import { SERVER_TROUBLE_PAUSE_MS } from '../../src/cycle.js';
import { DdnsError, type FailureKind } from '../../src/errors.js';
import { describeUrl, statusFailure, type HttpClient } from '../../src/http.js';
import type { Clock } from '../../src/clock.js';
import { sameAddress } from '../address.js';
import type { Family, HostResult, UpdateRequest } from '../types.js';

export interface Dyndns2Target {
  /** What the service is called in messages: `No-IP`, `dyndns2 server`. */
  service: string;
  endpoint: string;
  username: string;
  password: string;
}

/** The URL and headers of one update request for several hosts. */
export function buildUpdateRequest(
  target: Dyndns2Target,
  hosts: readonly string[],
  addresses: Partial<Record<Family, string>>,
): { url: string; headers: Record<string, string> } {
  const myip = [addresses.ipv4, addresses.ipv6].filter((a): a is string => a !== undefined);
  const query = new URLSearchParams({ hostname: hosts.join(',') });
  // Without myip the service would take the address the request came from.
  if (myip.length > 0) query.set('myip', myip.join(','));
  const basic = Buffer.from(`${target.username}:${target.password}`).toString('base64');
  return {
    url: `${target.endpoint}/nic/update?${query.toString().replace(/%2C/g, ',')}`,
    headers: { authorization: `Basic ${basic}` },
  };
}

export interface Answer {
  code: string;
  /** What follows `good` or `nochg`: the address(es) the service now has. */
  detail: string;
}

/** Codes about one host; any other lone line (`badauth`, `911`, an error page) is about the whole request. */
const PER_HOST = new Set(['good', 'nochg', 'nohost', 'notfqdn']);

/**
 * The answer lines, one per host. A single line about the whole request
 * (`badauth`, `911`, …) applies to every host; a single line about one host
 * (`good`, `nohost`) is the first host's, and the others count as unanswered.
 */
export function parseAnswers(text: string, hosts: readonly string[]): (Answer | undefined)[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const answers = lines.map((line): Answer => {
    const space = line.indexOf(' ');
    return space < 0 ? { code: line, detail: '' } : { code: line.slice(0, space), detail: line.slice(space + 1).trim() };
  });
  const only = answers.length === 1 ? answers[0] : undefined;
  if (only && !PER_HOST.has(only.code)) return hosts.map(() => only);
  return hosts.map((_, i) => answers[i]);
}

interface Meaning {
  kind: FailureKind;
  why: string;
}

/** What each failure code means, and what the user can do about it. */
const FAILURES: Record<string, Meaning> = {
  badauth: { kind: 'auth', why: 'the username or password is wrong; fix them in the config' },
  badagent: {
    kind: 'fatal',
    why: "the service refuses ddnsd's User-Agent; update ddnsd, and report it if the newest version is refused too",
  },
  '!donator': { kind: 'fatal', why: 'the request uses a feature this account does not have; check the account type' },
  nohost: { kind: 'fatal', why: 'the hostname does not exist on this account; check hosts and the account' },
  notfqdn: { kind: 'fatal', why: 'the hostname is not a fully qualified domain name; write it in full, e.g. office.ddns.net' },
  numhost: { kind: 'fatal', why: 'too many hosts in one request; split the hosts over several entries' },
  abuse: { kind: 'fatal', why: 'the service blocked the hostname for abuse; unblock it in the account before ddnsd tries again' },
  '911': { kind: 'server', why: 'the service reports trouble on its side' },
  dnserr: { kind: 'server', why: 'the service reports a DNS error on its side' },
};

/** The failure an answer means, or undefined for `good` / `nochg`. */
export function answerFailure(answer: Answer | undefined, host: string, service: string): DdnsError | undefined {
  if (answer === undefined) return new DdnsError('bad-response', `${service} gave no answer line for ${host}`);
  if (answer.code === 'good' || answer.code === 'nochg') return undefined;
  const meaning = FAILURES[answer.code];
  if (!meaning) {
    return new DdnsError('bad-response', `${service} gave an unexpected answer for ${host}: ${JSON.stringify(answer.code.slice(0, 40))}`);
  }
  const message = `${service} answered ${answer.code} for ${host}: ${meaning.why}`;
  return meaning.kind === 'server'
    ? new DdnsError('server', `${message}; ddnsd waits at least 30 minutes before trying again`, { retryAfterMs: SERVER_TROUBLE_PAUSE_MS })
    : new DdnsError(meaning.kind, message);
}

export interface Dyndns2Deps {
  http: HttpClient;
  clock: Clock;
}

/**
 * Sends every due host of an entry in one request, with every address known
 * for the entry's families, and turns the answer lines into one result per
 * host and family.
 */
export async function updateHosts(target: Dyndns2Target, deps: Dyndns2Deps, request: UpdateRequest): Promise<HostResult[]> {
  const { updates, addresses, signal } = request;
  const hosts = [...new Set(updates.map((u) => u.host))];
  const { url, headers } = buildUpdateRequest(target, hosts, addresses);
  const what = `${target.service} ${describeUrl(url)}`;
  const res = await deps.http.request({ url, headers, signal });
  const answers = parseAnswers(res.text, hosts);
  // Some services send `badauth` with HTTP 401: the answer line says more than the status.
  const first = answers[0]?.code ?? '';
  const spoken = res.status === 200 || ((res.status === 401 || res.status === 403) && first in FAILURES);
  if (!spoken) {
    const failure = statusFailure(res, what, deps.clock.now());
    if (failure) throw failure;
    throw new DdnsError('bad-response', `${what}: unexpected answer (HTTP ${res.status}): ${JSON.stringify(res.text.slice(0, 80))}`);
  }
  const results: HostResult[] = [];
  hosts.forEach((host, i) => {
    const answer = answers[i];
    const error = answerFailure(answer, host, target.service);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const address = addresses[family];
      if (!address) continue;
      const wrong = error ? undefined : otherAddress(answer?.detail ?? '', family, address);
      if (error) results.push({ host, family, outcome: 'failed', error });
      else if (wrong) {
        const message = `${target.service} answered ${answer?.code} for ${host} but names ${wrong}, not the ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address ${address} that was sent`;
        results.push({ host, family, outcome: 'failed', error: new DdnsError('bad-response', message) });
      }
      else results.push({ host, family, address, outcome: answer?.code === 'good' ? 'updated' : 'unchanged' });
    }
  });
  return results;
}

/**
 * A success answer names the address(es) the service now has. When it names
 * one of this family and not the one sent, returns it: the service did not
 * take the address, whatever the code says.
 */
function otherAddress(detail: string, family: Family, sent: string): string | undefined {
  const named = detail
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '' && a.includes(':') === (family === 'ipv6'));
  if (named.length === 0 || named.some((a) => sameAddress(a, sent))) return undefined;
  return named[0];
}
