/**
 * Cloudflare (API v4, token auth). For each due host and family: find the
 * zone (cached for the process lifetime), find the A or AAAA records of the
 * name, then create the record, PATCH only what must change, or send nothing
 * when it already points at the address. Duplicates of one name and type are
 * reduced to the first. Ids are cached; a 404 drops them and looks again.
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

    /** Drops every cached id that a 404 may have made stale. */
    const forget = (zoneId: string): void => {
      for (const [host, id] of hostZones) if (id === zoneId) hostZones.delete(host);
      for (const [name, id] of zoneIds) if (id === zoneId) zoneIds.delete(name);
      records.clear();
    };

    /**
     * The record of one name and type, with any duplicates deleted: the one
     * place records are looked up.
     */
    const lookupRecord = async (zoneId: string, type: RecordType, host: string, signal: AbortSignal): Promise<DnsRecord | undefined> => {
      let found: DnsRecord[];
      try {
        found = await api.findRecords(zoneId, type, host, signal);
      } catch (error) {
        // A configured zone id that Cloudflare does not know will not appear by looking again.
        if (error instanceof CloudflareNotFound && settings.zone_id !== undefined) {
          throw new DdnsError('fatal', `${error.message}; check zone_id (the zone overview page shows it), or use zone instead`, { cause: error });
        }
        throw error;
      }
      const [first, ...extra] = found;
      for (const dup of extra) await api.deleteRecord(zoneId, dup.id, signal);
      if (first && extra.length > 0) {
        deps.log.warn(`${host} had ${found.length} ${type} records at Cloudflare; kept ${first.id} and deleted the other ${extra.length}`, {
          provider: 'cloudflare',
        });
      }
      return first;
    };

    const updateOne = async (u: HostUpdate, signal: AbortSignal): Promise<HostResult> => {
      const type = RECORD[u.family];
      const key = `${u.host} ${type}`;
      const zoneId = await zoneOf(u.host, signal);
      try {
        let current = records.get(key);
        // A known record already at this address is checked again (a refresh or a
        // retry): someone may have changed it by hand.
        if (current === undefined || sameAddress(current.content, u.address)) {
          current = await lookupRecord(zoneId, type, u.host, signal);
        }
        if (current === undefined) {
          const created = await api.createRecord(
            zoneId,
            { type, name: u.host, content: u.address, ttl: settings.ttl ?? 1, proxied: settings.proxied ?? false },
            signal,
          );
          records.set(key, created);
          return { host: u.host, family: u.family, address: u.address, outcome: 'updated' };
        }
        const patch: Partial<DnsRecord> = {};
        if (!sameAddress(current.content, u.address)) patch.content = u.address;
        if (settings.ttl !== undefined && current.ttl !== settings.ttl) patch.ttl = settings.ttl;
        if (settings.proxied !== undefined && current.proxied !== settings.proxied) patch.proxied = settings.proxied;
        if (Object.keys(patch).length === 0) {
          records.set(key, current);
          return { host: u.host, family: u.family, address: u.address, outcome: 'unchanged' };
        }
        records.set(key, await api.patchRecord(zoneId, current.id, patch, signal));
        return { host: u.host, family: u.family, address: u.address, outcome: 'updated' };
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
        for (const u of updates) {
          try {
            results.push(await updateOne(u, signal));
          } catch (error) {
            // Failures that concern this host only are its result; anything a
            // retry may fix (or that concerns the token) fails the whole call.
            if (error instanceof DdnsError && (error.kind === 'fatal' || error.kind === 'bad-response')) {
              results.push({ host: u.host, family: u.family, outcome: 'failed', error });
            } else throw error;
          }
        }
        return results;
      },
    };
  },
});
