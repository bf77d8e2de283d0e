/**
 * Finding the current records of a zone's hosts: one paginated listing of
 * the zone when two or more are needed (one request per 1,000 records
 * instead of one per host), else a lookup by name. Duplicates of one name
 * and type are reduced to the first; the others are deleted, and the log
 * says so. With a `marker` (owned: marked) only records whose comment is the
 * marker are ddnsd's: the others are left alone, duplicates are removed only
 * among ddnsd's own, and `foreign` counts the others.
 */
import { DdnsError, RECORD_TYPE, type ForeignRecords, type HostUpdate, type Logger, type RecordType } from '../kit/index.js';
import { CloudflareNotFound, type CloudflareApi, type DnsRecord } from './api.js';
import { recordKey } from './plan.js';

export type Lookup = (zoneId: string, wanted: readonly HostUpdate[], signal: AbortSignal) => Promise<Map<string, DnsRecord | undefined>>;

export function createLookup(api: CloudflareApi, log: Logger, zoneIdConfigured: boolean, marker?: string, foreign?: ForeignRecords): Lookup {
  /** A 404 for a configured zone id will not go away by looking again. */
  const zoneIdUnknown = (error: unknown): unknown =>
    error instanceof CloudflareNotFound && zoneIdConfigured
      ? new DdnsError('fatal', `${error.message}; check zone_id (the zone overview page shows it), or use zone instead`, { cause: error })
      : error;

  const keepFirst = async (zoneId: string, type: RecordType, host: string, found: DnsRecord[], signal: AbortSignal): Promise<DnsRecord | undefined> => {
    const [first, ...extra] = found;
    for (const dup of extra) await api.deleteRecord(zoneId, dup.id, signal);
    if (first && extra.length > 0) {
      log.warn(`${host} had ${found.length} ${type} records at Cloudflare; kept ${first.id} and deleted the other ${extra.length}`, { provider: 'cloudflare' });
    }
    return first;
  };

  const fetchRecords = async (zoneId: string, wanted: readonly HostUpdate[], signal: AbortSignal): Promise<DnsRecord[]> => {
    try {
      if (wanted.length === 1) {
        const [u] = wanted as [HostUpdate];
        return await api.findRecords(zoneId, RECORD_TYPE[u.family], u.host, signal);
      }
      const types = new Set(wanted.map((u) => RECORD_TYPE[u.family]));
      return await api.listRecords(zoneId, types.size === 1 ? [...types][0] : undefined, signal);
    } catch (error) {
      throw zoneIdUnknown(error);
    }
  };

  return async (zoneId, wanted, signal) => {
    const found = new Map<string, DnsRecord | undefined>();
    if (wanted.length === 0) return found;
    const byKey = new Map<string, DnsRecord[]>();
    for (const r of await fetchRecords(zoneId, wanted, signal)) {
      const key = `${r.name} ${r.type}`;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    for (const u of wanted) {
      const key = recordKey(u);
      const all = byKey.get(key) ?? [];
      const mine = marker === undefined ? all : all.filter((r) => r.comment === marker);
      foreign?.note(u.host, u.family, all.length - mine.length);
      found.set(key, await keepFirst(zoneId, RECORD_TYPE[u.family], u.host, mine, signal));
    }
    return found;
  };
}
