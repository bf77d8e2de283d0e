/** What a cycle did, as values: one report per host and family. */
import { humanDuration } from '../base/duration.js';
import type { Family } from '../base/address.js';
import type { Detection } from '../detect/index.js';

/** What a cycle did about one host and family. */
export type HostAction =
  | 'updated' // the provider changed the record
  | 'unchanged' // sent, and the provider already had it
  | 'current' // nothing sent: the provider confirmed this address before
  | 'would-update' // --dry-run: would have sent
  | 'failed' // sent, and it failed; retried later
  | 'needs-attention' // an answer the provider documents as final (auth, fatal); paused until the entry's config changes
  | 'paused' // waiting out a backoff, Retry-After or provider trouble
  | 'skipped' // this family's address is not known this cycle
  | 'cancelled'; // stopped while the request was in flight

export interface HostReport {
  provider: string;
  host: string;
  family: Family;
  action: HostAction;
  address?: string;
  message?: string;
  /** For `failed` and `paused`: when the host is tried again. */
  retryAt?: number;
}

export interface CycleReport {
  id: number;
  startedAt: number;
  finishedAt: number;
  detections: Detection[];
  hosts: HostReport[];
  /** Every family detected and every host up to date. */
  ok: boolean;
}

/** Actions after which a host is where it should be. */
export const FINE: ReadonlySet<HostAction> = new Set(['updated', 'unchanged', 'current', 'would-update']);

/** `in 2 h (2026-12-06 11:00 UTC)`: when a paused host is tried again, for a person. */
export function nextTry(retryAt: number, now: number): string {
  const at = new Date(retryAt).toISOString();
  return `in ${humanDuration(retryAt - now)} (${at.slice(0, 10)} ${at.slice(11, 16)} UTC)`;
}
