/**
 * "Send one request, read the answer's words": the rules a plain-text
 * service answers by (FreeDNS, ClouDNS, dynv6, a URL template), once for
 * every adapter that speaks that way. An adapter describes its answers as a
 * small table; `exchangeText` sends, judges the status and the words, and
 * returns `updated` or `unchanged`, or throws the DdnsError the answer means.
 */
import { DdnsError, type FailureKind } from '../../src/base/errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/base/http.js';
import { quoteAnswer, statusFailure, unexpectedAnswer } from './http.js';

/** What one kind of answer means. */
export interface AnswerRule {
  /** The HTTP status this rule applies to (default 200; `any`: whatever the status). */
  status?: number | 'any';
  /** Matched against the answer's text, trimmed. */
  match: RegExp;
  /** Success (`updated`, `unchanged`) or the failure kind it means. */
  means: 'updated' | 'unchanged' | FailureKind;
  /** For failures: what it means and what the user can do about it. */
  why?: string;
}

/** The first rule that fits an answer, if any. */
export function judgeAnswer(rules: readonly AnswerRule[], status: number, text: string): AnswerRule | undefined {
  const trimmed = text.trim();
  return rules.find((r) => (r.status === 'any' || (r.status ?? 200) === status) && r.match.test(trimmed));
}

/** The failure a rule means, worded for a person; undefined for success. */
export function ruleFailure(rule: AnswerRule, what: string, text: string): DdnsError | undefined {
  if (rule.means === 'updated' || rule.means === 'unchanged') return undefined;
  return new DdnsError(rule.means, `${what} answered ${quoteAnswer(text.trim(), 60)}: ${rule.why ?? 'the update was refused'}`);
}

export interface TextExchange {
  /** The request; its URL may hold a secret, so messages use `what` instead. */
  request: HttpRequest;
  /** The service and a redacted URL, for messages: `FreeDNS https://sync.afraid.org/u/…`. */
  what: string;
  rules: readonly AnswerRule[];
  /** The clock's now, for Retry-After dates. */
  now: () => number;
  /** Words added to a rate-limit failure (a service's daily limit, say). */
  limitHint?: string | undefined;
}

/**
 * Sends one request and reads its answer: a rule that fits decides first
 * (a service may answer 404 with words of its own); then the status (429
 * with Retry-After, 5xx, 401/403); anything else is an unexpected answer.
 */
export async function exchangeText(http: HttpClient, exchange: TextExchange): Promise<'updated' | 'unchanged'> {
  const res = await http.request(exchange.request);
  return readAnswer(res, exchange);
}

/** The outcome an answer means, or the DdnsError it is. */
export function readAnswer(res: HttpResponse, exchange: Omit<TextExchange, 'request'>): 'updated' | 'unchanged' {
  const rule = judgeAnswer(exchange.rules, res.status, res.text);
  if (rule) {
    const failure = ruleFailure(rule, exchange.what, res.text);
    if (failure) throw withLimitHint(failure, exchange.limitHint);
    return rule.means as 'updated' | 'unchanged';
  }
  const failure = statusFailure(res, exchange.what, exchange.now());
  if (failure) throw withLimitHint(failure, exchange.limitHint);
  throw unexpectedAnswer(exchange.what, res);
}

/** A rate-limit failure with the service's own words about its limit added. */
export function withLimitHint(error: DdnsError, hint: string | undefined): DdnsError {
  if (error.kind !== 'rate-limited' || hint === undefined) return error;
  const options = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
  return new DdnsError('rate-limited', `${error.message}; ${hint}`, options);
}
