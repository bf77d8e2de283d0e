/**
 * Which records of an RRSet are ddnsd's, and what to send so that they are
 * the wanted addresses; pure, no requests.
 *
 * ddnsd's marker (owned: marked) is a record's comment, not the RRSet's
 * labels: a comment belongs to one record, labels to the whole RRSet (every
 * record of the name and type). Another tool's record in the same RRSet has
 * its own comment, so ddnsd can tell it apart and leave it; a label would
 * claim it too. (https://docs.hetzner.cloud/reference/cloud#zone-rrsets:
 * `labels` on the RRSet, `comment` on each record.)
 */
import { sameAddress } from '../kit/index.js';
import type { RRSetRecord } from './api.js';

export interface Ownership {
  /** ddnsd's records: all of them, or under owned: marked those whose comment is the marker. */
  mine: RRSetRecord[];
  /** The others, left alone. */
  foreign: RRSetRecord[];
}

export function ownership(records: readonly RRSetRecord[], marker: string | undefined): Ownership {
  const isMine = (r: RRSetRecord): boolean => marker === undefined || r.comment === marker;
  return { mine: records.filter(isMine), foreign: records.filter((r) => !isMine(r)) };
}

/**
 * The addresses the name holds for ddnsd: its own records, and a wanted
 * address that a foreign record already holds (an RRSet holds each value
 * once, so ddnsd cannot add its own beside it, and the name answers with it
 * anyway).
 */
export function heldValues(owned: Ownership, wanted: readonly string[]): string[] {
  const lent = owned.foreign.filter((r) => wanted.some((a) => sameAddress(r.value, a)));
  return [...owned.mine, ...lent].map((r) => r.value);
}

/** What to add (wanted, held by no record) and remove (ddnsd's records at addresses no longer wanted). */
export function changes(owned: Ownership, wanted: readonly string[]): { add: string[]; remove: string[] } {
  const all = [...owned.mine, ...owned.foreign];
  return {
    add: wanted.filter((a) => !all.some((r) => sameAddress(r.value, a))),
    remove: owned.mine.filter((r) => !wanted.some((a) => sameAddress(r.value, a))).map((r) => r.value),
  };
}
