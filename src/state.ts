/**
 * Persisted state: what was detected, and per host and family what the
 * provider last confirmed. Written atomically (temp file, fsync, rename,
 * fsync of the folder), so a crash at any moment leaves the last good file.
 * A file that cannot be read as state is moved aside, never overwritten.
 */
import { close, fsync, mkdir as mkdirCb, open as openCb, readFile as readFileCb, rename as renameCb, unlink as unlinkCb, writeFile as writeFileCb } from 'node:fs';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Family } from './base/address.js';
import type { FailureKind } from './base/errors.js';
import type { Logger } from './base/log.js';

const family = z.enum(['ipv4', 'ipv6']);

const hostStateSchema = z.object({
  provider: z.string(),
  host: z.string(),
  family,
  /** The address the provider last confirmed. */
  address: z.string().optional(),
  confirmedAt: z.number().optional(),
  lastAttemptAt: z.number().optional(),
  lastError: z.string().optional(),
  errorKind: z.enum(['auth', 'fatal', 'rate-limited', 'server', 'transient', 'bad-response']).optional(),
  failures: z.number().default(0),
  /** No attempt before this time (backoff, Retry-After, provider trouble). */
  retryAt: z.number().optional(),
  /** Fingerprint of the entry's settings when a fatal answer paused it. */
  attention: z.string().optional(),
  /** Records of the name the provider holds that are not ddnsd's (owned: marked), left alone. */
  foreign: z.number().optional(),
});

const detectedSchema = z.object({ address: z.string(), at: z.number() });

const historySchema = z.object({ at: z.number(), family, from: z.string().optional(), to: z.string() });

const lanAddressSchema = z.object({ interface: z.string(), family, address: z.string() });

/** The machine's own LAN addresses when last looked up, and the last time one went away. */
const lanSchema = z.object({
  addresses: z.array(lanAddressSchema),
  at: z.number(),
  change: z.object({ at: z.number(), removed: z.array(lanAddressSchema), added: z.array(lanAddressSchema) }).optional(),
});

/** A link (`wans:`) as last checked: `streak` counts the checks in a row it has been up (or down) since `since`. */
const wanStateSchema = z.object({
  up: z.boolean(),
  streak: z.number(),
  since: z.number(),
  at: z.number(),
  addresses: z.object({ ipv4: z.string().optional(), ipv6: z.string().optional() }).default({}),
  error: z.string().optional(),
});

/** The links, and the link each entry that follows links follows now (by the entry's type and first host). */
const wansSchema = z.object({ links: z.record(z.string(), wanStateSchema).default({}), follow: z.record(z.string(), z.string()).default({}) });

// node:fs's callbacks, promised: node:fs/promises would load its FileHandle
// machinery (node:readline with it) at every start, half a MiB of a one-shot
// command's peak for these few calls.
const mkdir = promisify(mkdirCb);
const open = promisify(openCb);
const readFile = promisify(readFileCb);
const rename = promisify(renameCb);
const unlink = promisify(unlinkCb);
const writeFile = promisify(writeFileCb);
const sync = promisify(fsync);
const closeFd = promisify(close);

export const stateSchema = z.object({
  version: z.literal(1),
  lastCheck: z.number().optional(),
  detected: z.object({ ipv4: detectedSchema.optional(), ipv6: detectedSchema.optional() }).default({}),
  hosts: z.record(z.string(), hostStateSchema).default({}),
  history: z.array(historySchema).default([]),
  /** Added after the first release: optional, so older state files still load. */
  lan: lanSchema.optional(),
  wans: wansSchema.optional(),
});

export type HostState = z.infer<typeof hostStateSchema>;
export type State = z.infer<typeof stateSchema>;
export type HistoryEntry = z.infer<typeof historySchema>;
export type LanAddress = z.infer<typeof lanAddressSchema>;
export type WanState = z.infer<typeof wanStateSchema>;
export type WansState = z.infer<typeof wansSchema>;
export type { FailureKind };

/** The most address changes kept, so the file stays small forever. */
export const HISTORY_LIMIT = 50;

export function emptyState(): State {
  return { version: 1, detected: {}, hosts: {}, history: [] };
}

export function hostKey(provider: string, host: string, fam: Family): string {
  return `${provider} ${host} ${fam}`;
}

export interface StateStore {
  readonly path: string;
  load(): Promise<State>;
  save(state: State): Promise<void>;
}

export function createStateStore(path: string, log: Logger, now: () => number = Date.now): StateStore {
  // Providers answer concurrently and each answer saves: one write at a time,
  // in call order, or two writes would race over the same temp file.
  let writing: Promise<void> = Promise.resolve();
  return {
    path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return emptyState();
        throw new Error(`cannot read the state file ${path}: ${(error as Error).message}`, { cause: error });
      }
      let reason: string;
      try {
        const parsed = stateSchema.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
        reason = 'it does not have the shape of ddnsd state';
      } catch {
        reason = 'it is not valid JSON';
      }
      const aside = join(dirname(path), `${basename(path)}.corrupt-${now()}`);
      await rename(path, aside);
      log.warn(`The state file could not be used (${reason}); moved it to ${aside} and starting afresh. Hosts will be checked and updated if needed.`, {
        path,
      });
      return emptyState();
    },
    async save(state) {
      const content = `${JSON.stringify(state, null, 2)}\n`;
      const write = writing.catch(() => {}).then(() => writeAtomically(path, content));
      writing = write;
      await write;
    },
  };
}

/** Writes a whole file or nothing: temp file (with `mode`, the owner's alone by default), fsync, rename over, fsync the folder. */
export async function writeAtomically(path: string, content: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = await open(temp, 'w', mode);
  try {
    await writeFile(fd, content, 'utf8');
    await sync(fd);
  } catch (error) {
    await closeFd(fd);
    await unlink(temp).catch(() => {});
    throw error;
  }
  await closeFd(fd);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  // The rename is durable only once the folder is synced; not every platform allows it.
  const folder = await open(dir, 'r').catch(() => undefined);
  if (folder !== undefined) {
    await sync(folder).catch(() => {});
    await closeFd(folder);
  }
}
