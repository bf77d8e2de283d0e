/**
 * AWS for adapters: Signature Version 4 (aws4, a small dependency-free
 * signer) and XML answers (fast-xml-parser, which decodes entities and
 * never resolves external ones). Both load at their first use: every adapter
 * imports the kit, and only Route 53 needs them (about 70 KiB of code).
 */
import type { XMLParser } from 'fast-xml-parser';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** `20261129T080000Z`: the X-Amz-Date form of a time. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The headers that sign a request with SigV4 for `service` in `region`, at
 * the time `nowMs` (the injected clock, not the machine's). Host and
 * Content-Length are signed but left out of the result: the HTTP client
 * sends the same values itself.
 */
export async function signAws(
  req: { method: string; url: string; headers?: Record<string, string>; body?: string },
  credentials: AwsCredentials,
  scope: { service: string; region: string; nowMs: number },
): Promise<Record<string, string>> {
  const { default: aws4 } = await import('aws4');
  const url = new URL(req.url);
  const signed = aws4.sign(
    {
      host: url.host,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      service: scope.service,
      region: scope.region,
      headers: { ...req.headers, 'X-Amz-Date': amzDate(scope.nowMs) },
      ...(req.body === undefined ? {} : { body: req.body }),
    },
    credentials,
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    if (!/^(host|content-length)$/i.test(name)) out[name.toLowerCase()] = String(value);
  }
  return out;
}

let parser: XMLParser | undefined;

/** An XML text as plain objects (element text as strings), or undefined when it is not XML. */
export async function parseXml(text: string): Promise<Record<string, unknown> | undefined> {
  if (!text.trimStart().startsWith('<')) return undefined;
  if (!parser) {
    const { XMLParser } = await import('fast-xml-parser');
    parser ??= new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true, ignoreDeclaration: true });
  }
  try {
    const value = parser.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An element that may occur once or many times, as a list. */
export function xmlList(value: unknown): unknown[] {
  return value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];
}

/** Text safe inside an XML element. */
export function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
