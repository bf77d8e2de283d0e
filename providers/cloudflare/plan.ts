/** What one update needs, decided without any request: nothing, a new record, or a patch of only the fields that differ. */
import { RECORD_TYPE, sameAddress, type HostUpdate } from '../kit/index.js';
import type { DnsRecord, RecordFields } from './api.js';
import type { Settings } from './settings.js';

export type Plan =
  | { u: HostUpdate; key: string; kind: 'unchanged'; record: DnsRecord }
  | { u: HostUpdate; key: string; kind: 'post'; fields: RecordFields }
  | { u: HostUpdate; key: string; kind: 'patch'; record: DnsRecord; patch: Partial<RecordFields> };

export type Write = Exclude<Plan, { kind: 'unchanged' }>;

/** The cache key of an update's record: `host type`. */
export function recordKey(u: Pick<HostUpdate, 'host' | 'family'>): string {
  return `${u.host} ${RECORD_TYPE[u.family]}`;
}

/**
 * A proxied record's TTL is always automatic (1) and cannot be changed
 * (developers.cloudflare.com/dns/manage-dns-records/reference/ttl/): the TTL
 * is compared and sent only for records that stay unproxied, else every
 * cycle would see a difference and write.
 */
export function plan(u: HostUpdate, current: DnsRecord | undefined, settings: Pick<Settings, 'ttl' | 'proxied'> & Partial<Pick<Settings, 'owned' | 'comment'>>): Plan {
  const type = RECORD_TYPE[u.family];
  const key = recordKey(u);
  const proxied = settings.proxied ?? current?.proxied ?? false;
  const ttl = proxied ? undefined : settings.ttl;
  if (current === undefined) {
    const marker = settings.owned === 'marked' ? { comment: settings.comment ?? null } : {};
    return { u, key, kind: 'post', fields: { type, name: u.host, content: u.address, ttl: ttl ?? 1, proxied, ...marker } };
  }
  const patch: Partial<RecordFields> = {};
  if (!sameAddress(current.content, u.address)) patch.content = u.address;
  if (ttl !== undefined && current.ttl !== ttl) patch.ttl = ttl;
  if (settings.proxied !== undefined && current.proxied !== settings.proxied) patch.proxied = settings.proxied;
  return Object.keys(patch).length === 0 ? { u, key, kind: 'unchanged', record: current } : { u, key, kind: 'patch', record: current, patch };
}
