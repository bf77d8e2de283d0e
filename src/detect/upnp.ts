/**
 * A small UPnP IGD client: find the LAN's gateway (SSDP), read its device
 * description, and call actions of its WANIPConnection (or WANPPPConnection)
 * service over SOAP: the external IPv4 address, and one port mapping (for
 * reachability checks). Descriptions and answers are small and flat, so the
 * few elements read are taken with patterns rather than a full XML parser.
 */
import ipaddr from 'ipaddr.js';
import { deadline } from '../base/deadline.js';
import { exchangeOnce } from '../base/dns.js';
import { DdnsError } from '../base/errors.js';
import type { HttpClient } from '../base/http.js';

export const SSDP_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;
const SERVICE = /^urn:schemas-upnp-org:service:WAN(?:IP|PPP)Connection:\d$/;
const MAX_XML_BYTES = 64 * 1024;

export interface IgdService {
  serviceType: string;
  controlUrl: string;
}

export interface UpnpDeps {
  http: HttpClient;
  signal?: AbortSignal;
}

/**
 * Asks the LAN by SSDP multicast for an Internet Gateway Device and resolves
 * with its description URL (LOCATION), or rejects when none answers in time.
 */
export async function discoverGateway(timeoutMs: number, signal?: AbortSignal): Promise<string> {
  // node:dgram loads at the first search, not with every start (as in base/dns.ts).
  const { createSocket } = await import('node:dgram');
  const search = [
    'M-SEARCH * HTTP/1.1',
    `HOST: ${SSDP_ADDRESS}:${SSDP_PORT}`,
    'MAN: "ssdp:discover"',
    'MX: 2',
    'ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1',
    '',
    '',
  ].join('\r\n');
  const limit = deadline(timeoutMs, signal);
  return exchangeOnce<string>(limit.signal, (done) => {
    const socket = createSocket('udp4');
    socket.on('error', (error) => done(error));
    socket.on('message', (msg) => {
      const location = /^location:\s*(\S+)/im.exec(msg.toString('latin1'))?.[1];
      if (location) done(undefined, location);
    });
    socket.send(search, SSDP_PORT, SSDP_ADDRESS);
    return () => socket.close();
  })
    .catch((error: unknown) => {
      if (limit.expired) throw new Error(`no UPnP gateway answered on the LAN within ${timeoutMs} ms (is UPnP on in the router?)`);
      if (signal?.aborted) throw new Error('cancelled');
      throw error;
    })
    .finally(() => limit.dispose());
}

/** The gateway must be on the LAN: a description elsewhere is refused. */
function assertLan(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const range = ipaddr.isValid(host) ? ipaddr.process(host).range() : 'name';
  if (!['private', 'loopback', 'linkLocal', 'uniqueLocal'].includes(range)) {
    throw new DdnsError('bad-response', `the UPnP gateway's address ${url.host} is not on the LAN; refusing to use it`);
  }
}

/** Reads the device description at `location` and finds the WAN connection service. */
export async function findService(deps: UpnpDeps, location: string): Promise<IgdService> {
  const base = new URL(location);
  assertLan(base);
  const res = await deps.http.request({ url: location, ...(deps.signal ? { signal: deps.signal } : {}), maxBytes: MAX_XML_BYTES });
  if (res.status !== 200) throw new DdnsError('bad-response', `the UPnP gateway's description ${base.host}${base.pathname} answered HTTP ${res.status}`);
  const urlBase = element(res.text, 'URLBase');
  for (const block of res.text.match(/<service>[\s\S]*?<\/service>/g) ?? []) {
    const serviceType = element(block, 'serviceType');
    const control = element(block, 'controlURL');
    if (!serviceType || !SERVICE.test(serviceType) || !control) continue;
    const controlUrl = new URL(control, urlBase ?? location);
    if (controlUrl.host !== base.host) throw new DdnsError('bad-response', `the UPnP gateway names a control URL on another host (${controlUrl.host})`);
    return { serviceType, controlUrl: controlUrl.href };
  }
  throw new DdnsError('bad-response', `the UPnP device at ${base.host} has no WANIPConnection or WANPPPConnection service: it is not an Internet gateway`);
}

/** Calls one SOAP action; resolves with the answer's body text, or throws naming the UPnP error. */
export async function soapAction(deps: UpnpDeps, service: IgdService, action: string, args: Record<string, string> = {}): Promise<string> {
  const params = Object.entries(args)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const body =
    '<?xml version="1.0"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${service.serviceType}">${params}</u:${action}></s:Body></s:Envelope>`;
  const res = await deps.http.request({
    url: service.controlUrl,
    method: 'POST',
    body,
    headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${service.serviceType}#${action}"` },
    ...(deps.signal ? { signal: deps.signal } : {}),
    maxBytes: MAX_XML_BYTES,
  });
  if (res.status === 200) return res.text;
  const code = element(res.text, 'errorCode');
  const description = element(res.text, 'errorDescription');
  throw new UpnpError(
    code ? Number(code) : undefined,
    `the UPnP gateway refused ${action}${code ? ` (UPnP error ${code}${description ? `: ${description}` : ''})` : ` (HTTP ${res.status})`}`,
  );
}

export class UpnpError extends DdnsError {
  constructor(
    readonly upnpCode: number | undefined,
    message: string,
  ) {
    super('bad-response', message);
  }
}

/** GetExternalIPAddress: the address the router has on its WAN side, as it says it. */
export async function getExternalIPAddress(deps: UpnpDeps, service: IgdService): Promise<string> {
  const text = await soapAction(deps, service, 'GetExternalIPAddress');
  return element(text, 'NewExternalIPAddress') ?? '';
}

export interface PortMapping {
  internalClient: string;
  internalPort: number;
  enabled: boolean;
  description: string;
  leaseSeconds: number;
}

/** GetSpecificPortMappingEntry: the mapping of one external port, or undefined when there is none (714). */
export async function getSpecificPortMapping(deps: UpnpDeps, service: IgdService, mapping: { externalPort: number; protocol: 'TCP' | 'UDP' }): Promise<PortMapping | undefined> {
  try {
    const text = await soapAction(deps, service, 'GetSpecificPortMappingEntry', {
      NewRemoteHost: '',
      NewExternalPort: String(mapping.externalPort),
      NewProtocol: mapping.protocol,
    });
    return {
      internalClient: element(text, 'NewInternalClient') ?? '',
      internalPort: Number(element(text, 'NewInternalPort') ?? 0),
      enabled: element(text, 'NewEnabled') === '1',
      description: element(text, 'NewPortMappingDescription') ?? '',
      leaseSeconds: Number(element(text, 'NewLeaseDuration') ?? 0),
    };
  } catch (error) {
    if (error instanceof UpnpError && error.upnpCode === 714) return undefined;
    throw error;
  }
}

/** The text of the first `<name>` element (any namespace prefix), entities decoded. */
export function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1].trim());
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The router's port mappings over UPnP IGD, for the forward check: the device
 * at `location`, or the one SSDP finds, asked afresh each time (the router may
 * have restarted or moved since).
 */
export function upnpPortMapper(options: { http: HttpClient; timeoutMs: number; location?: string | undefined }): {
  portMapping(externalPort: number, protocol: 'TCP' | 'UDP'): Promise<PortMapping | undefined>;
} {
  return {
    async portMapping(externalPort, protocol) {
      const signal = AbortSignal.timeout(options.timeoutMs * 3);
      const location = options.location ?? (await discoverGateway(Math.min(3000, options.timeoutMs), signal));
      const service = await findService({ http: options.http, signal }, location);
      return getSpecificPortMapping({ http: options.http, signal }, service, { externalPort, protocol });
    },
  };
}
