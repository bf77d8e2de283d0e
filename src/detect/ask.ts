/**
 * Asking one source: each kind is a small function that says what the source
 * answered (the address as text, and a note for the status). The answer is
 * then judged the same way for every kind (./address.ts).
 */
import dnsPacket from 'dns-packet';
import { describeServer, queryDns, type DnsClient, type DnsServer } from '../base/dns.js';
import type { HttpClient } from '../base/http.js';
import type { Family } from '../base/address.js';
import { interfaceAddress, type InterfaceReader } from './interface.js';
import { defaultGateway, NATPMP_PORT, natpmpExternalAddress } from './natpmp.js';
import type { PushStore } from './push.js';
import { extractAnswer, type Source } from './sources.js';
import { discoverGateway, findService, getExternalIPAddress } from './upnp.js';

export interface Said {
  text: string;
  note?: string;
}

/** What the sources may use; each piece is injectable for tests. */
export interface SourceDeps {
  /** One per family, forced to that family. */
  http: Partial<Record<Family, HttpClient>>;
  dns: DnsClient;
  interfaces: InterfaceReader;
  /** The gateway's description URL, when a source does not name it (SSDP by default). */
  discover(timeoutMs: number, signal: AbortSignal): Promise<string>;
  /** The IPv4 default gateway's NAT-PMP address (port 5351), for NAT-PMP. */
  gateway(): Promise<DnsServer | undefined>;
  push?: PushStore;
  timeoutMs: number;
}

export const systemDeps = {
  discover: discoverGateway,
  gateway: async (): Promise<DnsServer | undefined> => {
    const host = await defaultGateway();
    return host ? { host, port: NATPMP_PORT } : undefined;
  },
};

export async function ask(source: Source, family: Family, deps: SourceDeps, signal: AbortSignal): Promise<Said> {
  switch (source.kind) {
    case 'http':
      return askHttp(source, family, deps, signal);
    case 'dns':
      return askDns(source, deps.dns, signal);
    case 'interface':
      return interfaceAddress(deps.interfaces, source.iface, family);
    case 'upnp':
      return askUpnp(source, family, deps, signal);
    case 'natpmp':
      return { text: await natpmpExternalAddress(source.gateway ?? (await gatewayOf(deps)), signal) };
    case 'push':
      if (!deps.push) throw new Error('server.nic_update is not configured, so no router can push an address');
      return { text: deps.push.fresh(family, source.wan) };
  }
}

async function askHttp(source: Extract<Source, { kind: 'http' }>, family: Family, deps: SourceDeps, signal: AbortSignal): Promise<Said> {
  const client = deps.http[family];
  if (!client) throw new Error('no HTTP client for this family');
  const res = await client.request({ url: source.url, signal, timeoutMs: deps.timeoutMs, headers: { accept: 'text/plain' } });
  if (res.status >= 300 && res.status < 400) throw new Error(`redirected (HTTP ${res.status}); sources must answer directly`);
  if (res.status !== 200) throw new Error(`answered HTTP ${res.status}`);
  return { text: extractAnswer(res.text, source.format) };
}

/** Each server in turn until one answers; the answer must be about the question asked. */
async function askDns(source: Extract<Source, { kind: 'dns' }>, client: DnsClient, signal: AbortSignal): Promise<Said> {
  const { question } = source;
  let failure: unknown;
  for (const server of source.servers) {
    try {
      const packet = await queryDns(client, server, question, { signal });
      const where = `DNS server ${describeServer(server)}`;
      if (packet.type !== 'response') throw new Error(`${where} sent a query, not an answer`);
      const rcode = (packet as { rcode?: string }).rcode ?? 'NOERROR';
      if (rcode !== 'NOERROR') throw new Error(`${where} answered ${rcode} for ${question.name}`);
      const record = (packet.answers ?? []).find((a) => a.type === question.type && a.name.toLowerCase() === question.name.toLowerCase());
      if (!record) throw new Error(`${where} answered no ${question.type} record for ${question.name}`);
      return { text: recordText(record) };
    } catch (error) {
      if (signal.aborted) throw error;
      failure = error;
    }
  }
  throw failure;
}

function recordText(record: dnsPacket.Answer): string {
  const data = (record as { data?: unknown }).data;
  if (typeof data === 'string') return data;
  // TXT: one or more character strings, joined.
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('latin1') : String(p))).join('');
}

async function gatewayOf(deps: SourceDeps): Promise<DnsServer> {
  const gateway = await deps.gateway();
  if (!gateway) throw new Error('cannot tell the default gateway of this machine; name it as natpmp:<gateway address>');
  return gateway;
}

async function askUpnp(source: Extract<Source, { kind: 'upnp' }>, family: Family, deps: SourceDeps, signal: AbortSignal): Promise<Said> {
  const http = deps.http[family];
  if (!http) throw new Error('no HTTP client for this family');
  try {
    const location = source.location ?? (await deps.discover(Math.min(3000, deps.timeoutMs), signal));
    const service = await findService({ http, signal }, location);
    const text = await getExternalIPAddress({ http, signal }, service);
    return { text, note: `the router's WAN address (UPnP IGD at ${new URL(location).host})` };
  } catch (error) {
    if (!source.natpmp || signal.aborted) throw error;
    try {
      const text = await natpmpExternalAddress(await gatewayOf(deps), signal);
      return { text, note: `NAT-PMP (UPnP failed: ${(error as Error).message})` };
    } catch (second) {
      throw new Error(`UPnP: ${(error as Error).message}; NAT-PMP: ${(second as Error).message}`, { cause: second });
    }
  }
}
