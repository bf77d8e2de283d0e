/**
 * Detection: ask every source of a family at once, each over that family
 * only, and trust an address once `agree` sources said the same one.
 */
import { Agent, type Dispatcher } from 'undici';
import { formatDuration } from '../config/duration.js';
import { DdnsError } from '../errors.js';
import { createHttpClient, HttpTimeout, type HttpClient } from '../http.js';
import { checkAddress, FAMILY_LABEL, type Family } from './address.js';
import { extractAnswer, type Source } from './sources.js';

export interface SourceAnswer {
  source: string;
  address?: string;
  error?: string;
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
  const clients = {} as Record<Family, HttpClient>;
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

  return {
    families,
    detect: (family, signal) => detectFamily(family, options.sources[family] ?? [], clients[family], options, signal),
    close: async () => {
      await Promise.all(owned.map((a) => a.close()));
    },
  };
}

async function detectFamily(
  family: Family,
  sources: readonly Source[],
  client: HttpClient | undefined,
  options: DetectorOptions,
  outer?: AbortSignal,
): Promise<Detection> {
  const label = FAMILY_LABEL[family];
  if (!client || sources.length === 0) {
    return { family, error: `no ${label} sources are configured`, agreeing: [], answers: [] };
  }
  const need = Math.min(options.agree, sources.length);
  const done = new AbortController();
  const signal = outer ? AbortSignal.any([outer, done.signal]) : done.signal;
  const answers: SourceAnswer[] = [];
  const votes = new Map<string, string[]>();

  return new Promise<Detection>((resolve) => {
    let pending = sources.length;
    let settled = false;
    const finish = (result: Detection): void => {
      if (settled) return;
      settled = true;
      done.abort();
      resolve(result);
    };
    for (const source of sources) {
      askSource(client, source, family, options.timeoutMs, signal).then((answer) => {
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

async function askSource(
  client: HttpClient,
  source: Source,
  family: Family,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SourceAnswer> {
  try {
    const res = await client.request({ url: source.url, signal, timeoutMs, headers: { accept: 'text/plain' } });
    if (res.status >= 300 && res.status < 400) {
      return { source: source.name, error: `redirected (HTTP ${res.status}); sources must answer directly` };
    }
    if (res.status !== 200) return { source: source.name, error: `answered HTTP ${res.status}` };
    const check = checkAddress(extractAnswer(res.text, source.format), family);
    return check.ok ? { source: source.name, address: check.address } : { source: source.name, error: check.reason };
  } catch (error) {
    if (error instanceof HttpTimeout) return { source: source.name, error: `no answer within ${formatDuration(error.timeoutMs)}` };
    if (error instanceof DdnsError) return { source: source.name, error: error.message };
    if (signal.aborted) return { source: source.name, error: 'cancelled' };
    return { source: source.name, error: error instanceof Error ? error.message : String(error) };
  }
}

function disagreement(label: string, need: number, total: number, answers: SourceAnswer[], outer?: AbortSignal): string {
  if (outer?.aborted) return `${label} detection was cancelled`;
  const said = answers.map((a) => `${a.source} ${a.address ? `said ${a.address}` : a.error ?? 'failed'}`).join('; ');
  const distinct = new Set(answers.filter((a) => a.address).map((a) => a.address));
  if (distinct.size > 1) return `${label} sources disagree (${need} of ${total} must agree): ${said}`;
  return `${label} not detected: ${need} of ${total} sources must agree on one address, but ${said}`;
}
