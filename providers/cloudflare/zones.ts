/**
 * Finding each host's zone: the configured zone_id, the configured zone by
 * name, or the host's parent names, longest first. Ids are kept for the
 * process lifetime and dropped when Cloudflare answers 404.
 */
import { DdnsError, zoneCandidates, type HostUpdate } from '../kit/index.js';
import type { CloudflareApi } from './api.js';
import type { Settings } from './settings.js';

export interface Zones {
  /** The id of a host's zone; `fatal` when the token sees none. */
  zoneOf(host: string, signal: AbortSignal): Promise<string>;
  /** Finds the zones of several hosts with one listing of the token's zones. */
  findAtOnce(updates: readonly HostUpdate[], signal: AbortSignal): Promise<void>;
  /** Drops every cached id of a zone that a 404 may have made stale. */
  forget(zoneId: string): void;
}

export function createZones(api: CloudflareApi, settings: Pick<Settings, 'zone' | 'zone_id'>): Zones {
  /** Zone name → id (undefined: the token sees no such zone). */
  const zoneIds = new Map<string, string | undefined>();
  /** Host → the id of its zone. */
  const hostZones = new Map<string, string>();

  const lookup = async (name: string, signal: AbortSignal): Promise<string | undefined> => {
    if (!zoneIds.has(name)) zoneIds.set(name, await api.findZone(name, signal));
    return zoneIds.get(name);
  };

  const configured = async (signal: AbortSignal): Promise<string | undefined> => {
    if (settings.zone_id !== undefined || settings.zone === undefined) return settings.zone_id;
    const id = await lookup(settings.zone, signal);
    if (id === undefined) {
      throw new DdnsError('fatal', `Cloudflare has no zone ${settings.zone} that this token can see; check zone, and that the token has Zone.DNS edit on it`);
    }
    return id;
  };

  return {
    async zoneOf(host, signal) {
      const cached = hostZones.get(host);
      if (cached) return cached;
      let id = await configured(signal);
      for (const name of id === undefined ? zoneCandidates(host) : []) {
        id = await lookup(name, signal);
        if (id !== undefined) break;
      }
      if (id === undefined) {
        throw new DdnsError('fatal', `Cloudflare has no zone for ${host} that this token can see; set zone or zone_id, and give the token Zone.DNS edit on that zone`);
      }
      hostZones.set(host, id);
      return id;
    },
    /**
     * Without zone or zone_id, each host's zone is found from its name. When
     * several hosts need one, a single listing of the token's zones (50 a page)
     * replaces a lookup per host and candidate name; the longest zone that is
     * the host or one of its parents wins, as with lookups by name.
     */
    async findAtOnce(updates, signal) {
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
    },
    forget(zoneId) {
      for (const [host, id] of hostZones) if (id === zoneId) hostZones.delete(host);
      for (const [name, id] of zoneIds) if (id === zoneId) zoneIds.delete(name);
    },
  };
}
