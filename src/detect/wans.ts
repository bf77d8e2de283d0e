/**
 * Links (`wans:`): each named internet link detected on its own, with its
 * own sources and `agree`, its HTTP and DNS sources going out from its
 * `bind` address, and its probe. A link is healthy in a check when every
 * family it has sources for was detected and its probe (if any) answered.
 */
import { connect, isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { createDnsClient } from '../base/dns.js';
import { createHttpClient, describeUrl, HttpTimeout } from '../base/http.js';
import { formatDuration } from '../base/duration.js';
import { FAMILY_LABEL, type Family } from '../base/address.js';
import { createDetector, type Detection, type Detector } from './index.js';
import type { InterfaceReader } from './interface.js';
import type { LanPrefix, PushStore } from './push.js';
import type { Source } from './sources.js';

/** A link's probe: a TCP port or an https URL that must answer too (`wans.<name>.probe`). */
export type Probe = { kind: 'tcp'; host: string; port: number } | { kind: 'https'; url: string };

export interface WanConfig {
  name: string;
  sources: Record<Family, Source[]>;
  /** Families that have sources. */
  families: Family[];
  agree: number;
  bind?: string;
  probe?: Probe;
}

export interface LinkCheck {
  wan: string;
  healthy: boolean;
  /** The addresses detected on this link. */
  addresses: Partial<Record<Family, string>>;
  /** Why the link is not healthy, in words for a person. */
  error?: string;
  detections: Detection[];
  /** The LAN prefix this link's router pushed (ip6lanprefix), while fresh. */
  lanPrefix?: LanPrefix;
}

export interface Links {
  names: string[];
  /** Checks every link at once. */
  check(signal?: AbortSignal): Promise<LinkCheck[]>;
  close(): Promise<void>;
}

export interface LinksOptions {
  timeoutMs: number;
  userAgent: string;
  push?: PushStore;
  interfaces?: InterfaceReader;
  /** Tests: the dispatcher for a link's family; by default one bound to the link's `bind`. */
  dispatcher?(wan: WanConfig, family: Family): Dispatcher | undefined;
}

export function createLinks(wans: readonly WanConfig[], options: LinksOptions): Links {
  const owned: Agent[] = [];
  const links = wans.map((wan) => {
    const dispatchers: Partial<Record<Family, Dispatcher>> = {};
    for (const family of ['ipv4', 'ipv6'] as const) {
      let dispatcher = options.dispatcher?.(wan, family);
      if (!dispatcher && wan.bind) {
        // undici takes the local address as the client's `localAddress`; inside `connect` it is overwritten by it.
        const agent = new Agent({ localAddress: wan.bind, connect: { family: family === 'ipv4' ? 4 : 6, autoSelectFamily: false } });
        owned.push(agent);
        dispatcher = agent;
      }
      if (dispatcher) dispatchers[family] = dispatcher;
    }
    const detector = createDetector({
      sources: wan.sources,
      agree: wan.agree,
      timeoutMs: options.timeoutMs,
      userAgent: options.userAgent,
      dispatchers,
      dns: createDnsClient({ timeoutMs: options.timeoutMs, maxBytes: 4096, ...(wan.bind ? { localAddress: wan.bind } : {}) }),
      ...(options.push ? { push: options.push } : {}),
      ...(options.interfaces ? { interfaces: options.interfaces } : {}),
    });
    // The probe leaves from bind like the sources: the dispatcher of bind's family (an IPv6 bind with the IPv4
    // one would look up the probe's name as IPv4 and connect to it from an IPv6 address, which never works).
    const probeDispatcher = dispatchers[probeFamily(wan)] ?? dispatchers.ipv4 ?? dispatchers.ipv6;
    return { wan, detector, probeDispatcher };
  });
  return {
    names: wans.map((w) => w.name),
    check: (signal) => Promise.all(links.map((l) => checkLink(l, options, signal))),
    close: async () => {
      await Promise.all([...links.map((l) => l.detector.close()), ...owned.map((a) => a.close())]);
    },
  };
}

function probeFamily(wan: WanConfig): Family {
  if (wan.bind) return isIP(wan.bind) === 6 ? 'ipv6' : 'ipv4';
  return wan.families[0] ?? 'ipv4';
}

async function checkLink(link: { wan: WanConfig; detector: Detector; probeDispatcher: Dispatcher | undefined }, options: LinksOptions, signal?: AbortSignal): Promise<LinkCheck> {
  const { wan } = link;
  const detections = await Promise.all(link.detector.families.map((f) => link.detector.detect(f, signal)));
  const addresses: Partial<Record<Family, string>> = {};
  for (const d of detections) if (d.address) addresses[d.family] = d.address;
  const lanPrefix = options.push?.lanPrefix(wan.name);
  const base = { wan: wan.name, addresses, detections, ...(lanPrefix ? { lanPrefix } : {}) };
  const failed = detections.find((d) => !d.address);
  if (failed) return { ...base, healthy: false, error: failed.error ?? `${FAMILY_LABEL[failed.family]} not detected` };
  if (wan.probe) {
    const error = await probe(wan.probe, wan.bind, link.probeDispatcher, options, signal);
    if (error) return { ...base, healthy: false, error };
  }
  return { ...base, healthy: true };
}

/**
 * Reaches the probe from the link's bind address; undefined when it answered, else why not.
 * An https probe has answered when its certificate verified and an HTTP status came back, whatever
 * the status: a 503 from the far end means the link carried the request there and back and only
 * that service is down, which no other link would mend, so the name stays. Its body is not read
 * (a large page answers as well as a small one). Messages name the URL without its query string,
 * which may hold a token.
 */
export async function probe(
  target: Probe,
  bind: string | undefined,
  dispatcher: Dispatcher | undefined,
  options: Pick<LinksOptions, 'timeoutMs' | 'userAgent'>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (target.kind === 'https') return probeHttps(target.url, bind, dispatcher, options, signal);
  const where = `tcp://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port, ...(bind ? { localAddress: bind } : {}) });
    const finish = (error?: string): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(error);
    };
    const onAbort = (): void => finish(`probe ${where} was cancelled`);
    const timer = setTimeout(() => finish(`probe ${where} did not answer within ${formatDuration(options.timeoutMs)}`), options.timeoutMs);
    signal?.addEventListener('abort', onAbort);
    socket.once('connect', () => finish());
    socket.once('error', (error: NodeJS.ErrnoException) => finish(`probe ${where} failed: ${error.code ?? error.message}`));
  });
}

async function probeHttps(
  url: string,
  bind: string | undefined,
  dispatcher: Dispatcher | undefined,
  options: Pick<LinksOptions, 'timeoutMs' | 'userAgent'>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const where = describeUrl(url);
  const own = dispatcher ? undefined : new Agent(bind ? { localAddress: bind } : {});
  const http = createHttpClient({ userAgent: options.userAgent, dispatcher: dispatcher ?? (own as Agent), timeoutMs: options.timeoutMs });
  try {
    await http.request({ url, skipBody: true, ...(signal ? { signal } : {}) });
    return undefined;
  } catch (error) {
    if (signal?.aborted) return `probe ${where} was cancelled`;
    if (error instanceof HttpTimeout) return `probe ${where} did not answer within ${formatDuration(error.timeoutMs)}`;
    return `probe ${where} failed: ${(error as Error).message.replace(`GET ${where}: `, '')}`;
  } finally {
    await own?.close();
  }
}
