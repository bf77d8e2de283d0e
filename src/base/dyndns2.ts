/**
 * The dyndns2 answer codes: what each means and what the user can do. One
 * table for both sides of the protocol: the dyndns2 adapter reads them from
 * services, and ddnsd's own /nic/update endpoint answers routers with them.
 */
import type { FailureKind } from './errors.js';

export interface AnswerCode {
  /** `ok` for success; otherwise the failure kind it means. */
  kind: 'ok' | FailureKind;
  /** Whether the code is about one host (else about the whole request). */
  perHost: boolean;
  /** For failures: what it means and what the user can do about it. */
  why: string;
}

/** Every code of the protocol: what it means, for clients and for ddnsd's endpoint alike. */
export const ANSWER_CODES: Readonly<Record<string, AnswerCode>> = {
  good: { kind: 'ok', perHost: true, why: 'the address was updated' },
  nochg: { kind: 'ok', perHost: true, why: 'the host already had this address' },
  badauth: { kind: 'auth', perHost: false, why: 'the username or password is wrong; fix them in the config' },
  badagent: {
    kind: 'fatal',
    perHost: false,
    why: "the service refuses ddnsd's User-Agent; for No-IP set contact_email on the entry, otherwise update ddnsd, and report it if the newest version is refused too",
  },
  '!donator': { kind: 'fatal', perHost: false, why: 'the request uses a feature this account does not have; check the account type' },
  nohost: { kind: 'fatal', perHost: true, why: 'the hostname does not exist on this account; check hosts and the account' },
  notfqdn: { kind: 'fatal', perHost: true, why: 'the hostname is not a fully qualified domain name; write it in full, e.g. office.ddns.net' },
  numhost: { kind: 'fatal', perHost: false, why: 'too many hosts in one request; split the hosts over several entries' },
  abuse: { kind: 'fatal', perHost: false, why: 'the service blocked the hostname for abuse; unblock it in the account before ddnsd tries again' },
  '911': { kind: 'server', perHost: false, why: 'the service reports trouble on its side' },
  dnserr: { kind: 'server', perHost: false, why: 'the service reports a DNS error on its side' },
};
