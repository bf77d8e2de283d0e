/**
 * The DNS UPDATE message (RFC 2136) for one entry: the zone in the zone
 * section, no prerequisites, and for every host and family due "delete the
 * RRset of that type" (class ANY, TTL 0, no data) then "add this address",
 * so the name ends with exactly one record of that type, duplicates included.
 */
import { addressBytes, DNS_CLASS, encodeMessage, encodeRecord, RECORD_TYPE, type HostUpdate } from '../kit/index.js';

export const OPCODE_UPDATE = 5;
const TYPE_NUMBER = { A: 1, AAAA: 28 } as const;

/** The unsigned UPDATE message with `id` that points each update's host at its address. */
export function buildUpdate(id: number, zone: string, updates: readonly HostUpdate[], ttl: number): Buffer {
  const head = encodeMessage({
    type: 'query',
    id,
    flags: OPCODE_UPDATE << 11,
    questions: [{ name: zone, type: 'SOA', class: 'IN' }],
  });
  const records = updates.flatMap((u) => {
    const type = TYPE_NUMBER[RECORD_TYPE[u.family]];
    return [
      encodeRecord({ name: u.host, type, class: DNS_CLASS.ANY, ttl: 0, data: new Uint8Array(0) }),
      encodeRecord({ name: u.host, type, class: DNS_CLASS.IN, ttl, data: addressBytes(u.address) }),
    ];
  });
  const message = Buffer.concat([head, ...records]);
  // The update section is the third one (NSCOUNT in a query).
  message.writeUInt16BE(records.length, 8);
  return message;
}
