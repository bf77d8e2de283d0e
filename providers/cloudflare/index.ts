/**
 * Cloudflare (API v4, token auth), the template for REST adapters. For the
 * due hosts and families: find each host's zone (./zones.ts); per zone, find
 * the records not known yet (./records.ts); decide per host what to send
 * (./plan.ts, pure); then create what is missing and change only the fields
 * that differ, several changes in one batch request (./writes.ts). Nothing
 * is sent for a record already at the address. Ids are cached; a 404 drops
 * them and looks again.
 */
import { DdnsError, defineProvider, foreignRecords, RECORD_TYPE, resultOf, sameAddress, type Family, type HostResult, type HostUpdate } from '../kit/index.js';
import { CloudflareNotFound, createCloudflareApi, type DnsRecord } from './api.js';
import { plan, recordKey, type Write } from './plan.js';
import { createLookup } from './records.js';
import { schema, type Settings } from './settings.js';
import { createWriter, perHost } from './writes.js';
import { updateSet } from './sets.js';
import { createZones } from './zones.js';

export { schema };

export default defineProvider({
  type: 'cloudflare',
  records: { sets: true, marker: 'a Cloudflare record comment', removeOnStop: true },
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    const api = createCloudflareApi({ endpoint: settings.endpoint, token: settings.token, http: deps.http, clock: deps.clock });
    if (settings.proxied === true && settings.ttl !== undefined && settings.ttl !== 1) {
      deps.log.warn(
        `ttl: ${settings.ttl} is not applied: Cloudflare serves proxied records with an automatic TTL that cannot be changed; ddnsd sets the TTL of unproxied records only`,
        {
          provider: 'cloudflare',
        },
      );
    }
    const zones = createZones(api, settings);
    /** `host type` → the record ddnsd last saw or wrote. */
    const records = new Map<string, DnsRecord>();
    /** Records of each name that are not ddnsd's (owned: marked): in the results, and a log line when their number changes. */
    const foreign = foreignRecords((host, family, count) =>
      deps.log.info(`${host} has ${count} ${RECORD_TYPE[family]} record(s) at Cloudflare without ddnsd's comment "${settings.comment}"; left alone (owned: marked)`, {
        provider: 'cloudflare',
      }),
    );
    const lookup = createLookup(api, deps.log, settings.zone_id !== undefined, settings.owned === 'marked' ? settings.comment : undefined, foreign);
    const writeAll = createWriter(api, records, deps.log);

    /** The updates of one zone: look up what is not known, then write what differs. */
    const updateZone = async (zoneId: string, updates: readonly HostUpdate[], signal: AbortSignal): Promise<HostResult[]> => {
      // A known record already at this address is checked again (a refresh or a
      // retry): someone may have changed it by hand.
      const wanted = updates.filter((u) => {
        const known = records.get(recordKey(u));
        return known === undefined || sameAddress(known.content, u.address);
      });
      const found = await lookup(zoneId, wanted, signal);
      const plans = updates.map((u) => plan(u, found.has(recordKey(u)) ? found.get(recordKey(u)) : records.get(recordKey(u)), settings));
      const results: HostResult[] = [];
      for (const p of plans) {
        if (p.kind !== 'unchanged') continue;
        records.set(p.key, p.record);
        results.push(resultOf(p.u, 'unchanged'));
      }
      const writes = plans.filter((p): p is Write => p.kind !== 'unchanged');
      return [...results, ...(await writeAll(zoneId, writes, signal))];
    };

    /** A zone's updates; a 404 forgets the cached ids so the next try looks them up again. */
    const updateZoneOnce = async (zoneId: string, updates: readonly HostUpdate[], signal: AbortSignal): Promise<HostResult[]> => {
      try {
        return await updateZone(zoneId, updates, signal);
      } catch (error) {
        if (!(error instanceof CloudflareNotFound)) throw error;
        zones.forget(zoneId);
        records.clear();
        throw new DdnsError('transient', `${error.message}; ddnsd forgot the cached zone and record ids and looks them up again`, { cause: error });
      }
    };

    /** The updates grouped by zone; a host whose zone cannot be found fails alone. */
    const byZone = async (updates: readonly HostUpdate[], signal: AbortSignal, failed: HostResult[]): Promise<Map<string, HostUpdate[]>> => {
      await zones.findAtOnce(updates, signal);
      const out = new Map<string, HostUpdate[]>();
      for (const u of updates) {
        try {
          const zoneId = await zones.zoneOf(u.host, signal);
          out.set(zoneId, [...(out.get(zoneId) ?? []), u]);
        } catch (error) {
          if (!perHost(error)) throw error;
          failed.push(resultOf(u, error));
        }
      }
      return out;
    };

    /** delete_on_stop: every A and AAAA record of the hosts that is ddnsd's (marked ones only under owned: marked). */
    const removeRecords = async (families: readonly Family[], signal: AbortSignal): Promise<number> => {
      let removed = 0;
      const types = families.map((f) => RECORD_TYPE[f]);
      for (const host of settings.hosts) {
        const zoneId = await zones.zoneOf(host, signal);
        for (const type of types) {
          const found = await api.findRecords(zoneId, type, host, signal);
          for (const r of found.filter((f) => settings.owned !== 'marked' || f.comment === settings.comment)) {
            await api.deleteRecord(zoneId, r.id, signal);
            removed += 1;
          }
        }
      }
      records.clear();
      return removed;
    };

    return {
      label: 'cloudflare',
      hosts: settings.hosts,
      removeRecords,
      async update({ updates, signal }) {
        const results: HostResult[] = [];
        // wan_mode: all: one record per address, host by host.
        for (const [zoneId, inZone] of await byZone(
          updates.filter((u) => u.addresses !== undefined),
          signal,
          results,
        )) {
          for (const u of inZone) {
            try {
              results.push(await updateSet(api, zoneId, { ...u, addresses: u.addresses ?? [u.address] }, settings, signal));
            } catch (error) {
              if (!perHost(error)) throw error;
              results.push(resultOf(u, error));
            }
          }
        }
        for (const [zoneId, inZone] of await byZone(
          updates.filter((u) => u.addresses === undefined),
          signal,
          results,
        )) {
          try {
            results.push(...(await updateZoneOnce(zoneId, inZone, signal)));
          } catch (error) {
            if (!perHost(error)) throw error;
            results.push(...inZone.map((u) => resultOf(u, error)));
          }
        }
        return foreign.mark(results);
      },
    };
  },
});
