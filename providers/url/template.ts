/** URL templates: `{name}` placeholders, filled with values escaped for where they go. */
import { endpointProblem } from '../kit/index.js';

export const PLACEHOLDERS = ['host', 'ipv4', 'ipv6', 'ip'];

/** The placeholder names a template uses, in order, once each. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? ''))];
}

/** The template with each placeholder replaced by its value, escaped. */
export function fill(template: string, values: Record<string, string>, escape: (value: string) => string): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (name in values ? escape(values[name] ?? '') : whole));
}

/**
 * Why a URL template cannot be used, or undefined. Placeholders are filled
 * with addresses first, so the check sees a real URL. The problem never
 * quotes the template: it may hold a token.
 */
export function urlProblem(template: string): string | undefined {
  const sample = fill(template, { host: 'host.example.net', ipv4: '192.0.2.1', ipv6: '2001:db8::1', ip: '192.0.2.1' }, encodeURIComponent);
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    return 'is not a URL; write it as https://host/path?param={ip}';
  }
  const problem = endpointProblem(`${url.protocol}//${url.host}`);
  return problem ? `must start with https:// (plain http only for 127.0.0.1, ::1 and localhost: the URL holds credentials)` : undefined;
}
