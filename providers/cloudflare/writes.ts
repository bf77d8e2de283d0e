/**
 * Writing a zone's changes: one on its own, or several in batches of at most
 * BATCH_LIMIT (one request each). A batch is all or nothing, so when
 * Cloudflare refuses one its writes are sent again one by one, to find the
 * host it refused; only that host fails.
 */
import { DdnsError, inParallel, resultOf, type HostResult, type Logger } from '../kit/index.js';
import { CloudflareRefused, type CloudflareApi, type DnsRecord } from './api.js';
import type { Write } from './plan.js';

/** Operations in one batch: the Free plan's limit (paid plans allow 3,500). */
export const BATCH_LIMIT = 200;
/** Single writes in flight at once per entry, when a refused batch is sent one by one. */
export const WRITE_CONCURRENCY = 4;

/** Failures that concern one host only: its result. Anything a retry may fix, or that concerns the token, fails the whole call. */
export function perHost(error: unknown): error is DdnsError {
  return error instanceof DdnsError && (error.kind === 'fatal' || error.kind === 'bad-response');
}

export type WriteAll = (zoneId: string, writes: Write[], signal: AbortSignal) => Promise<HostResult[]>;

/** `records` is the adapter's cache of what it last saw or wrote, by `host type`. */
export function createWriter(api: CloudflareApi, records: Map<string, DnsRecord>, log: Logger): WriteAll {
  const writeOne = async (zoneId: string, p: Write, signal: AbortSignal): Promise<HostResult> => {
    try {
      const written = p.kind === 'post' ? await api.createRecord(zoneId, p.fields, signal) : await api.patchRecord(zoneId, p.record.id, p.patch, signal);
      records.set(p.key, written);
      return resultOf(p.u, 'updated');
    } catch (error) {
      if (perHost(error)) return resultOf(p.u, error);
      throw error;
    }
  };

  const writeBatch = async (zoneId: string, chunk: Write[], signal: AbortSignal): Promise<HostResult[]> => {
    const patches = chunk.filter((p) => p.kind === 'patch');
    const posts = chunk.filter((p) => p.kind === 'post');
    let done;
    try {
      done = await api.batch(zoneId, { patches: patches.map((p) => ({ id: p.record.id, ...p.patch })), posts: posts.map((p) => p.fields) }, signal);
    } catch (error) {
      if (!(error instanceof CloudflareRefused)) throw error;
      log.debug(`Cloudflare refused a batch of ${chunk.length} changes (${error.message}); sending them one by one`, { provider: 'cloudflare' });
      return inParallel(chunk, WRITE_CONCURRENCY, (p) => writeOne(zoneId, p, signal));
    }
    patches.forEach((p, j) => records.set(p.key, done.patches[j] as DnsRecord));
    posts.forEach((p, j) => records.set(p.key, done.posts[j] as DnsRecord));
    return [...patches, ...posts].map((p) => resultOf(p.u, 'updated'));
  };

  return async (zoneId, writes, signal) => {
    if (writes.length < 2) return Promise.all(writes.map((p) => writeOne(zoneId, p, signal)));
    const results: HostResult[] = [];
    for (let i = 0; i < writes.length; i += BATCH_LIMIT) results.push(...(await writeBatch(zoneId, writes.slice(i, i + BATCH_LIMIT), signal)));
    return results;
  };
}
