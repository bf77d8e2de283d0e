/**
 * Detection: ask every source of a family at once, each over that family
 * only, and trust an address once `agree` sources said the same one.
 */
import { Agent, type Dispatcher } from 'undici';
import { deadline } from '../base/deadline.js';
import { createDnsClient, type DnsClient } from '../base/dns.js';
import { formatDuration } from '../base/duration.js';
import { DdnsError } from '../base/errors.js';
import { createHttpClient, HttpTimeout, type HttpClient } from '../base/http.js';
import { checkAddress, FAMILY_LABEL, type Family } from '../base/address.js';
import { interfaceLister } from '../lan.js';
import { ask, systemDeps, type SourceDeps } from './ask.js';
import { systemInterfaces, type InterfaceReader } from './interface.js';
import type { PushStore } from './push.js';
import type { Source, SourceKind } from './sources.js';

export interface SourceAnswer {
  source: string;
  kind?: SourceKind;
  address?: string;
  error?: string;
  /** What else a person should know about this answer (skipped temporary addresses, NAT-PMP used instead of UPnP). */
  note?: string;
}
export interface Detection {
  family: Family;
  /** The agreed address; absent when detection failed. */
  address?: string;
  /** Why detection failed, in words for a person. */
  error?: string;
  /** Sources that said the agreed address. */
  agreeing: string[];
  answers: SourceAnswer[];
}

export interface DetectorOptions {
  sources: Partial<Record<Family, readonly Source[]>>;
  agree: number;
  timeoutMs: number;
  userAgent: string;
  /** One dispatcher per family; by default each forces connections to that family. */
  dispatchers?: Partial<Record<Family, Dispatcher>>;
  dns?: DnsClient;
  /** The machine's interfaces; the system's by default. */
  interfaces?: InterfaceReader;
  push?: PushStore;
  /** The gateway's description URL by SSDP, and the default gateway; the system's by default. */
  discover?: SourceDeps['discover'];
  gateway?: SourceDeps['gateway'];
}

export interface Detector {
  families: Family[];
  detect(family: Family, signal?: AbortSignal): Promise<Detection>;
  close(): Promise<void>;
}

/** Source answers are an address and a little text; cloudflare's trace page is about 300 bytes. */
const MAX_ANSWER_BYTES = 4096;

export function createDetector(options: DetectorOptions): Detector {
  const families = (['ipv4', 'ipv6'] as const).filter((f) => (options.sources[f]?.length ?? 0) > 0);
  const owned: Agent[] = [];
  const clients: Partial<Record<Family, HttpClient>> = {};
  for (const family of families) {
    let dispatcher = options.dispatchers?.[family];
    if (!dispatcher) {
      const agent = new Agent({ connect: { family: family === 'ipv4' ? 4 : 6, autoSelectFamily: false } });
      owned.push(agent);
      dispatcher = agent;
    }
    clients[family] = createHttpClient({
      userAgent: options.userAgent,
      dispatcher,
      timeoutMs: options.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
    });
  }

  const deps: SourceDeps = {
    http: clients,
    dns: options.dns ?? createDnsClient({ timeoutMs: options.timeoutMs, maxBytes: MAX_ANSWER_BYTES }),
    interfaces: options.interfaces ?? systemInterfaces(interfaceLister(() => {})),
    discover: options.discover ?? systemDeps.discover,
    gateway: options.gateway ?? systemDeps.gateway,
    timeoutMs: options.timeoutMs,
    ...(options.push ? { push: options.push } : {}),
  };
  return {
    families,
    detect: (family, signal) => detectFamily(family, options.sources[family] ?? [], deps, options, signal),
    close: async () => {
      await Promise.all(owned.map((a) => a.close()));
    },
  };
}

async function detectFamily(family: Family, sources: readonly Source[], deps: SourceDeps, options: DetectorOptions, outer?: AbortSignal): Promise<Detection> {
  const label = FAMILY_LABEL[family];
  if (sources.length === 0) {
    return { family, error: `no ${label} sources are configured`, agreeing: [], answers: [] };
  }
  const need = Math.min(options.agree, sources.length);
  // Cancels the sources still asking once the answer is known (or the caller cancels).
  const done = deadline(undefined, outer);
  const signal = done.signal;
  const answers: SourceAnswer[] = [];
  const votes = new Map<string, string[]>();

  return new Promise<Detection>((resolve) => {
    let pending = sources.length;
    let settled = false;
    const finish = (result: Detection): void => {
      if (settled) return;
      settled = true;
      done.cancel();
      resolve(result);
    };
    for (const source of sources) {
      // askSource turns every failure into an answer: it never rejects.
      void askSource(source, family, deps, signal).then((answer) => {
        if (settled) return;
        answers.push(answer);
        if (answer.address) {
          const voters = [...(votes.get(answer.address) ?? []), source.name];
          votes.set(answer.address, voters);
          if (voters.length >= need) {
            finish({ family, address: answer.address, agreeing: voters, answers });
            return;
          }
        }
        pending -= 1;
        if (pending === 0) finish({ family, error: disagreement(label, need, sources.length, answers, outer), agreeing: [], answers });
      });
    }
  });
}

/** Asks one source within the deadline; every failure becomes an answer with an error. */
async function askSource(source: Source, family: Family, deps: SourceDeps, outer: AbortSignal): Promise<SourceAnswer> {
  const base = { source: source.name, kind: source.kind };
  const limit = deadline(deps.timeoutMs, outer);
  const signal = limit.signal;
  let timer: NodeJS.Timeout | undefined;
  // Every kind gets the same deadline, even one whose own I/O ignores the signal.
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), deps.timeoutMs + 50);
  });
  try {
    const said = await Promise.race([ask(source, family, deps, signal), late]);
    const check = checkAddress(said.text, family);
    const note = said.note ? { note: said.note } : {};
    return check.ok ? { ...base, address: check.address, ...note } : { ...base, error: check.reason, ...note };
  } catch (error) {
    if (error instanceof HttpTimeout) return { ...base, error: `no answer within ${formatDuration(error.timeoutMs)}` };
    if (outer.aborted && !(error instanceof DdnsError)) return { ...base, error: 'cancelled' };
    const message = error instanceof Error ? error.message : String(error);
    if (limit.expired || message === 'deadline') return { ...base, error: `no answer within ${formatDuration(deps.timeoutMs)}` };
    return { ...base, error: message };
  } finally {
    clearTimeout(timer);
    limit.dispose();
  }
}

function disagreement(label: string, need: number, total: number, answers: SourceAnswer[], outer?: AbortSignal): string {
  if (outer?.aborted) return `${label} detection was cancelled`;
  const said = answers.map((a) => `${a.source} ${a.address ? `said ${a.address}` : (a.error ?? 'failed')}`).join('; ');
  const distinct = new Set(answers.filter((a) => a.address).map((a) => a.address));
  if (distinct.size > 1) return `${label} sources disagree (${need} of ${total} must agree): ${said}`;
  return `${label} not detected: ${need} of ${total} sources must agree on one address, but ${said}`;
}
