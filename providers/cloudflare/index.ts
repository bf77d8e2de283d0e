/**
 * Cloudflare (API v4, token auth). For the due hosts and families: find
 * each host's zone (cached for the process lifetime); per zone, find the
 * records not known yet (one paginated listing of the zone when two or more
 * are needed, else a lookup by name); then create what is missing and change
 * only the fields that differ, several changes in one batch request, and
 * send nothing for a record already at the address. Duplicates of one name
 * and type are reduced to the first. Ids are cached; a 404 drops them and
 * looks again.
 */
import { z } from 'zod';
import { DdnsError } from '../../src/errors.js';
import { sameAddress } from '../address.js';
import { entrySchema, hostname, secret } from '../schema.js';
import { defineProvider, type HostResult, type HostUpdate } from '../types.js';
import { CloudflareNotFound, createCloudflareApi, type DnsRecord, type RecordType } from './api.js';

const ttl = z
  .number({ error: 'expected a number of seconds, or 1 for automatic' })
  .int({ error: 'expected whole seconds' })
  .refine((v) => v === 1 || (v >= 30 && v <= 86400), { error: 'expected 1 (automatic) or 30 to 86400 seconds' });

export const schema = entrySchema(
  'cloudflare',
  {
    token: secret('the Cloudflare API token'),
    zone: hostname.optional(),
    zone_id: z
      .string({ error: 'expected the zone id, a 32-character hex string from the zone overview page' })
      .regex(/^[0-9a-f]{32}$/i, { error: 'expected the zone id, a 32-character hex string from the zone overview page' })
      .optional(),
    proxied: z.boolean({ error: 'expected true or false' }).optional(),
    ttl: ttl.optional(),
  },
  { endpoint: 'https://api.cloudflare.com/client/v4' },
).superRefine((entry, ctx) => {
  if (entry.zone !== undefined && entry.zone_id !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['zone_id'], message: 'set either zone or zone_id, not both' });
  }
  const zone = entry.zone;
  if (zone !== undefined) {
    entry.hosts.forEach((host, i) => {
      if (host !== zone && !host.endsWith(`.${zone}`)) {
        ctx.addIssue({ code: 'custom', path: ['hosts', i], message: `${host} is not in the zone ${zone}; list hosts of that zone, or use another entry` });
      }
    });
  }
});

type Settings = z.infer<typeof schema>;

/** Operations in one batch: the Free plan's limit (paid plans allow 3,500). */
export const BATCH_LIMIT = 200;
/** Single writes in flight at once per entry, when a refused batch is sent one by one. */
export const WRITE_CONCURRENCY = 4;

/** Failures that concern one host only: its result. Anything a retry may fix, or that concerns the token, fails the whole call. */
function perHost(error: unknown): error is DdnsError {
  return error instanceof DdnsError && (error.kind === 'fatal' || error.kind === 'bad-response');
}

/** Runs `work` over `items`, at most `limit` at a time, results in order. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const RECORD: Record<HostUpdate['family'], RecordType> = { ipv4: 'A', ipv6: 'AAAA' };

/** A name and its parents, longest first, down to two labels: where its zone may be. */
export function zoneCandidates(host: string): string[] {
  const labels = host.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join('.'));
  return out;
}

export default defineProvider({
  type: 'cloudflare',
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createCloudflareApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    /** Zone name → id (undefined: the token sees no such zone), for the process lifetime. */
    const zoneIds = new Map<string, string | undefined>();
    /** Host → the id of its zone. */
    const hostZones = new Map<string, string>();
    /** `host type` → the record ddnsd last saw or wrote. */
    const records = new Map<string, DnsRecord>();

    const lookupZone = async (name: string, signal: AbortSignal): Promise<string | undefined> => {
      if (!zoneIds.has(name)) zoneIds.set(name, await api.findZone(name, signal));
      return zoneIds.get(name);
    };

    const zoneOf = async (host: string, signal: AbortSignal): Promise<string> => {
      const cached = hostZones.get(host);
      if (cached) return cached;
      let id: string | undefined = settings.zone_id;
      if (id === undefined && settings.zone !== undefined) {
        id = await lookupZone(settings.zone, signal);
        if (id === undefined) {
          throw new DdnsError('fatal', `Cloudflare has no zone ${settings.zone} that this token can see; check zone, and that the token has Zone.DNS edit on it`);
        }
      }
      for (const name of id === undefined ? zoneCandidates(host) : []) {
        id = await lookupZone(name, signal);
        if (id !== undefined) break;
      }
      if (id === undefined) {
        throw new DdnsError('fatal', `Cloudflare has no zone for ${host} that this token can see; set zone or zone_id, and give the token Zone.DNS edit on that zone`);
      }
      hostZones.set(host, id);
      return id;
    };

    /**
     * Without zone or zone_id, each host's zone is found from its name. When
     * several hosts need one, a single listing of the token's zones (50 a page)
     * replaces a lookup per host and candidate name; the longest zone that is
     * the host or one of its parents wins, as with lookups by name.
     */
    const findZonesAtOnce = async (updates: readonly HostUpdate[], signal: AbortSignal): Promise<void> => {
      if (settings.zone !== undefined || settings.zone_id !== undefined) return;
      const unknown = [...new Set(updates.map((u) => u.host))].filter((h) => !hostZones.has(h));
      if (unknown.length < 2) return;
      const zones = await api.listZones(signal);
      for (const host of unknown) {
        const candidates = zoneCandidates(host);
        for (const name of candidates) zoneIds.set(name, zones.get(name));
        const name = candidates.find((c) => zones.has(c));
        if (name !== undefined) hostZones.set(host, zones.get(name) as string);
      }
    };

    /** Drops every cached id that a 404 may have made stale. */
    const forget = (zoneId: string): void => {
      for (const [host, id] of hostZones) if (id === zoneId) hostZones.delete(host);
      for (const [name, id] of zoneIds) if (id === zoneId) zoneIds.delete(name);
      records.clear();
    };

    /** A 404 for a configured zone id will not go away by looking again. */
    const zoneIdUnknown = (error: unknown): unknown =>
      error instanceof CloudflareNotFound && settings.zone_id !== undefined
        ? new DdnsError('fatal', `${error.message}; check zone_id (the zone overview page shows it), or use zone instead`, { cause: error })
        : error;

    /** The first of one name's records of one type; the others are deleted, and the log says so. */
    const keepFirst = async (zoneId: string, type: RecordType, host: string, found: DnsRecord[], signal: AbortSignal): Promise<DnsRecord | undefined> => {
      const [first, ...extra] = found;
      for (const dup of extra) await api.deleteRecord(zoneId, dup.id, signal);
      if (first && extra.length > 0) {
        deps.log.warn(`${host} had ${found.length} ${type} records at Cloudflare; kept ${first.id} and deleted the other ${extra.length}`, {
          provider: 'cloudflare',
        });
      }
      return first;
    };

    /** The record of one name and type, looked up by name, with any duplicates deleted. */
    const lookupRecord = async (zoneId: string, type: RecordType, host: string, signal: AbortSignal): Promise<DnsRecord | undefined> => {
      let found: DnsRecord[];
      try {
        found = await api.findRecords(zoneId, type, host, signal);
      } catch (error) {
        throw zoneIdUnknown(error);
      }
      return keepFirst(zoneId, type, host, found, signal);
    };

    /**
     * The current record of each update that needs one looked up, by `host type`:
     * one listing of the zone when two or more are needed (one request per 1,000
     * records instead of one per host), else a lookup by name.
     */
    const lookupAll = async (zoneId: string, wanted: readonly HostUpdate[], signal: AbortSignal): Promise<Map<string, DnsRecord | undefined>> => {
      const found = new Map<string, DnsRecord | undefined>();
      if (wanted.length < 2) {
        for (const u of wanted) found.set(`${u.host} ${RECORD[u.family]}`, await lookupRecord(zoneId, RECORD[u.family], u.host, signal));
        return found;
      }
      const types = new Set(wanted.map((u) => RECORD[u.family]));
      let listed: DnsRecord[];
      try {
        listed = await api.listRecords(zoneId, types.size === 1 ? [...types][0] : undefined, signal);
      } catch (error) {
        throw zoneIdUnknown(error);
      }
      const byKey = new Map<string, DnsRecord[]>();
      for (const r of listed) {
        const key = `${r.name} ${r.type}`;
        byKey.set(key, [...(byKey.get(key) ?? []), r]);
      }
      for (const u of wanted) {
        const key = `${u.host} ${RECORD[u.family]}`;
        found.set(key, await keepFirst(zoneId, RECORD[u.family], u.host, byKey.get(key) ?? [], signal));
      }
      return found;
    };

    /** What one update needs: nothing, a new record, or a patch of an existing one. */
    type Plan =
      | { u: HostUpdate; key: string; kind: 'unchanged'; record: DnsRecord }
      | { u: HostUpdate; key: string; kind: 'post'; fields: Omit<DnsRecord, 'id'> }
      | { u: HostUpdate; key: string; kind: 'patch'; record: DnsRecord; patch: Partial<Omit<DnsRecord, 'id'>> };

    const plan = (u: HostUpdate, current: DnsRecord | undefined): Plan => {
      const type = RECORD[u.family];
      const key = `${u.host} ${type}`;
      if (current === undefined) {
        return { u, key, kind: 'post', fields: { type, name: u.host, content: u.address, ttl: settings.ttl ?? 1, proxied: settings.proxied ?? false } };
      }
      const patch: Partial<DnsRecord> = {};
      if (!sameAddress(current.content, u.address)) patch.content = u.address;
      if (settings.ttl !== undefined && current.ttl !== settings.ttl) patch.ttl = settings.ttl;
      if (settings.proxied !== undefined && current.proxied !== settings.proxied) patch.proxied = settings.proxied;
      return Object.keys(patch).length === 0 ? { u, key, kind: 'unchanged', record: current } : { u, key, kind: 'patch', record: current, patch };
    };

    /** One write on its own; a refusal is this host's result. */
    const writeOne = async (zoneId: string, p: Exclude<Plan, { kind: 'unchanged' }>, signal: AbortSignal): Promise<HostResult> => {
      try {
        const written = p.kind === 'post' ? await api.createRecord(zoneId, p.fields, signal) : await api.patchRecord(zoneId, p.record.id, p.patch, signal);
        records.set(p.key, written);
        return { host: p.u.host, family: p.u.family, address: p.u.address, outcome: 'updated' };
      } catch (error) {
        if (perHost(error)) return { host: p.u.host, family: p.u.family, outcome: 'failed', error };
        throw error;
      }
    };

    /**
     * The writes of one zone: several go in batches of at most BATCH_LIMIT
     * (one request each); a batch Cloudflare refuses is all or nothing, so its
     * writes are then sent one by one to find the host it refused.
     */
    const writeAll = async (zoneId: string, writes: Exclude<Plan, { kind: 'unchanged' }>[], signal: AbortSignal): Promise<HostResult[]> => {
      if (writes.length < 2) return Promise.all(writes.map((p) => writeOne(zoneId, p, signal)));
      const results: HostResult[] = [];
      for (let i = 0; i < writes.length; i += BATCH_LIMIT) {
        const chunk = writes.slice(i, i + BATCH_LIMIT);
        const patches = chunk.filter((p) => p.kind === 'patch');
        const posts = chunk.filter((p) => p.kind === 'post');
        let done;
        try {
          done = await api.batch(zoneId, { patches: patches.map((p) => ({ id: p.record.id, ...p.patch })), posts: posts.map((p) => p.fields) }, signal);
        } catch (error) {
          if (!(error instanceof DdnsError && error.kind === 'fatal')) throw error;
          deps.log.debug(`Cloudflare refused a batch of ${chunk.length} changes (${error.message}); sending them one by one`, { provider: 'cloudflare' });
          results.push(...(await inParallel(chunk, WRITE_CONCURRENCY, (p) => writeOne(zoneId, p, signal))));
          continue;
        }
        patches.forEach((p, j) => records.set(p.key, done.patches[j] as DnsRecord));
        posts.forEach((p, j) => records.set(p.key, done.posts[j] as DnsRecord));
        for (const p of [...patches, ...posts]) results.push({ host: p.u.host, family: p.u.family, address: p.u.address, outcome: 'updated' });
      }
      return results;
    };

    /** The updates of one zone: look up what is not known, then write what differs. */
    const updateZone = async (zoneId: string, updates: readonly HostUpdate[], signal: AbortSignal): Promise<HostResult[]> => {
      try {
        // A known record already at this address is checked again (a refresh or a
        // retry): someone may have changed it by hand.
        const wanted = updates.filter((u) => {
          const known = records.get(`${u.host} ${RECORD[u.family]}`);
          return known === undefined || sameAddress(known.content, u.address);
        });
        const found = await lookupAll(zoneId, wanted, signal);
        const plans = updates.map((u) => {
          const key = `${u.host} ${RECORD[u.family]}`;
          return plan(u, found.has(key) ? found.get(key) : records.get(key));
        });
        const results: HostResult[] = [];
        for (const p of plans) {
          if (p.kind !== 'unchanged') continue;
          records.set(p.key, p.record);
          results.push({ host: p.u.host, family: p.u.family, address: p.u.address, outcome: 'unchanged' });
        }
        const writes = plans.filter((p) => p.kind !== 'unchanged');
        return [...results, ...(await writeAll(zoneId, writes, signal))];
      } catch (error) {
        if (error instanceof CloudflareNotFound) {
          forget(zoneId);
          throw new DdnsError('transient', `${error.message}; ddnsd forgot the cached zone and record ids and looks them up again`, { cause: error });
        }
        throw error;
      }
    };

    return {
      label: 'cloudflare',
      hosts: settings.hosts,
      async update({ updates, signal }) {
        const results: HostResult[] = [];
        const zones = new Map<string, HostUpdate[]>();
        await findZonesAtOnce(updates, signal);
        for (const u of updates) {
          try {
            const zoneId = await zoneOf(u.host, signal);
            zones.set(zoneId, [...(zones.get(zoneId) ?? []), u]);
          } catch (error) {
            if (perHost(error)) results.push({ host: u.host, family: u.family, outcome: 'failed', error });
            else throw error;
          }
        }
        for (const [zoneId, inZone] of zones) {
          try {
            results.push(...(await updateZone(zoneId, inZone, signal)));
          } catch (error) {
            if (perHost(error)) results.push(...inZone.map((u) => ({ host: u.host, family: u.family, outcome: 'failed' as const, error })));
            else throw error;
          }
        }
        return results;
      },
    };
  },
});
