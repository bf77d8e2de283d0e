/**
 * Sources of the external address. A built-in source is a few lines of data
 * over the one generic protocol: GET a URL, read the answer as text.
 */
import type { Family } from './address.js';

export type AnswerFormat = 'text' | 'trace';

export interface Source {
  /** A built-in name, or the URL's host for a custom source. */
  name: string;
  url: string;
  format: AnswerFormat;
}

interface BuiltIn {
  urls: Record<Family, string>;
  format: AnswerFormat;
}

export const BUILT_IN_SOURCES: Record<string, BuiltIn> = {
  ipify: { urls: { ipv4: 'https://api.ipify.org/', ipv6: 'https://api6.ipify.org/' }, format: 'text' },
  icanhazip: { urls: { ipv4: 'https://ipv4.icanhazip.com/', ipv6: 'https://ipv6.icanhazip.com/' }, format: 'text' },
  cloudflare: {
    urls: { ipv4: 'https://1.1.1.1/cdn-cgi/trace', ipv6: 'https://[2606:4700:4700::1111]/cdn-cgi/trace' },
    format: 'trace',
  },
};

export const DEFAULT_SOURCES: Record<Family, readonly string[]> = {
  ipv4: ['ipify', 'icanhazip', 'cloudflare'],
  ipv6: [],
};

/**
 * A source from its config entry: a built-in name, or an http(s) URL that
 * answers the address as text (or as a cdn-cgi/trace page, by its path).
 * Returns an error message for anything else.
 */
export function resolveSource(ref: string, family: Family): Source | string {
  const builtIn = BUILT_IN_SOURCES[ref];
  if (builtIn) return { name: ref, url: builtIn.urls[family], format: builtIn.format };
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    return `unknown source "${ref}": use one of ${Object.keys(BUILT_IN_SOURCES).join(', ')}, or an http(s) URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `source "${ref}" must be an http:// or https:// URL`;
  }
  return { name: url.host, url: url.href, format: url.pathname.endsWith('/cdn-cgi/trace') ? 'trace' : 'text' };
}

/** The address text in a source's answer. */
export function extractAnswer(body: string, format: AnswerFormat): string {
  if (format === 'trace') {
    const line = body.split('\n').find((l) => l.startsWith('ip='));
    return line ? line.slice(3).trim() : '';
  }
  return body.trim();
}
