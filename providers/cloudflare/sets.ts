/**
 * wan_mode: all: one record per address for a name and type. The records
 * that are ddnsd's (all of them, or under owned: marked those with its
 * comment) are made to match the set: a record already at an address stays,
 * a spare one is moved to a missing address, the rest are created, and
 * records at addresses no longer in the set are deleted.
 */
import { RECORD_TYPE, resultOf, sameAddress, type HostResult, type HostUpdate } from '../kit/index.js';
import type { CloudflareApi, DnsRecord } from './api.js';
import type { Settings } from './settings.js';

export async function updateSet(api: CloudflareApi, zoneId: string, u: HostUpdate & { addresses: string[] }, settings: Settings, signal: AbortSignal): Promise<HostResult> {
  const type = RECORD_TYPE[u.family];
  const found = await api.findRecords(zoneId, type, u.host, signal);
  const mine = found.filter((r) => settings.owned !== 'marked' || r.comment === settings.comment);
  const missing = u.addresses.filter((a) => !mine.some((r) => sameAddress(r.content, a)));
  const spare: DnsRecord[] = mine.filter((r) => !u.addresses.some((a) => sameAddress(r.content, a)));
  let writes = 0;
  for (const address of missing) {
    const record = spare.shift();
    if (record) await api.patchRecord(zoneId, record.id, { content: address }, signal);
    else {
      const marker = settings.owned === 'marked' ? { comment: settings.comment } : {};
      const proxied = settings.proxied ?? false;
      await api.createRecord(zoneId, { type, name: u.host, content: address, ttl: proxied ? 1 : (settings.ttl ?? 1), proxied, ...marker }, signal);
    }
    writes += 1;
  }
  for (const record of spare) {
    await api.deleteRecord(zoneId, record.id, signal);
    writes += 1;
  }
  const result = resultOf(u, writes > 0 ? 'updated' : 'unchanged');
  const others = found.length - mine.length;
  return others > 0 && result.outcome !== 'failed' ? { ...result, foreign: others } : result;
}
