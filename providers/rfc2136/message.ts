/**
 * The DNS UPDATE message (RFC 2136) for one entry: the zone in the zone
 * section, no prerequisites, and for every host and family "delete the
 * RRset of that type" (class ANY, TTL 0, no data, section 2.5.2) then "add
 * this address" once per wanted address (section 2.5.1), so the name ends
 * with exactly the wanted records of that type, duplicates included. The
 * server applies the update section in order and as a whole (section 3.4.2).
 * With no address wanted the RRset is only deleted (delete_on_stop).
 */
import { addressBytes, DNS_CLASS, encodeMessage, encodeRecord, RECORD_TYPE, type Family } from '../kit/index.js';

export const OPCODE_UPDATE = 5;
const TYPE_NUMBER = { A: 1, AAAA: 28 } as const;

/** One name and type made to hold exactly `addresses` (none: deleted). */
export interface RecordSet {
  host: string;
  family: Family;
  addresses: readonly string[];
}

/** The unsigned UPDATE message with `id` that makes each set's RRset exactly its addresses. */
export function buildUpdate(id: number, zone: string, sets: readonly RecordSet[], ttl: number): Buffer {
  const head = encodeMessage({
    type: 'query',
    id,
    flags: OPCODE_UPDATE << 11,
    questions: [{ name: zone, type: 'SOA', class: 'IN' }],
  });
  const records = sets.flatMap((s) => {
    const type = TYPE_NUMBER[RECORD_TYPE[s.family]];
    return [
      encodeRecord({ name: s.host, type, class: DNS_CLASS.ANY, ttl: 0, data: new Uint8Array(0) }),
      ...s.addresses.map((address) => encodeRecord({ name: s.host, type, class: DNS_CLASS.IN, ttl, data: addressBytes(address) })),
    ];
  });
  const message = Buffer.concat([head, ...records]);
  // The update section is the third one (NSCOUNT in a query).
  message.writeUInt16BE(records.length, 8);
  return message;
}
