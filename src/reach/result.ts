/** What a reachability check finds: one result per subject (a host and record, a port), as values. */

import type { CheckName, Verdict } from '../cycle/events.js';

export type { CheckName, Verdict };

export interface CheckResult {
  check: CheckName;
  /** What was checked: `office.example.com A`, `office.example.com:1234/tcp`. */
  subject: string;
  verdict: Verdict;
  /** One sentence for a person. */
  summary: string;
  /** What to do about it; null when passing. */
  fix: string | null;
  /** The evidence: each server's answer, the hairpin attempt. */
  details: string[];
  /** A failure makes /healthz unhealthy. */
  required: boolean;
}

export interface ReachReport {
  at: number;
  results: CheckResult[];
}

/** A failing verdict: what reachability-lost and /healthz mean. */
export const isFailing = (v: Verdict | undefined): boolean => v === 'fail';

export function result(check: CheckName, subject: string, required: boolean, verdict: Verdict, summary: string, fix: string | null = null, details: string[] = []): CheckResult {
  return { check, subject, verdict, summary, fix, details, required };
}
