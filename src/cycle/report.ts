/** What a cycle did, as values: one report per host and family. */
import type { Family } from '../base/address.js';
import type { Detection } from '../detect/index.js';

/** What a cycle did about one host and family. */
export type HostAction =
  | 'updated' // the provider changed the record
  | 'unchanged' // sent, and the provider already had it
  | 'current' // nothing sent: the provider confirmed this address before
  | 'would-update' // --dry-run: would have sent
  | 'failed' // sent, and it failed; retried later
  | 'needs-attention' // a fatal answer; paused until the entry's config changes
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
