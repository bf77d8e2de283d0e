/**
 * Cross-site request forgery: a POST (or other unsafe method) must come from
 * this very site. Browsers say where a request comes from in two headers a
 * page's script cannot set:
 *
 * - `Sec-Fetch-Site` (Chromium, Firefox, Safari 16.4+): `same-origin`, or
 *   `none` for what the user did themselves, is accepted; `same-site`
 *   (another port or sub-domain of this host: another app) and `cross-site`
 *   are refused. It accounts for redirects, sandboxed frames and file pages.
 * - `Origin`: when present it must name this Host. `Origin: null` means the
 *   browser hides the origin (a sandboxed frame, a file or data: page, a
 *   redirect from another site, or a `no-referrer` policy): it proves nothing,
 *   so it passes only when `Sec-Fetch-Site` vouches for the request.
 *
 * A request with neither header is not from a browser (curl, a script):
 * forgery needs a victim's browser, so it passes; its credentials are checked
 * as usual. The session cookie is also `SameSite=Strict`, and POST bodies
 * other than JSON and sign-in forms answer 415.
 */
import type { FastifyRequest } from 'fastify';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why this request is refused as coming from another site; undefined when it may pass. */
export function crossSiteReason(req: FastifyRequest): string | undefined {
  if (SAFE.has(req.method)) return undefined;
  const site = header(req, 'sec-fetch-site');
  const origin = header(req, 'origin');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  if (origin === undefined) return undefined;
  if (origin === 'null') return site === undefined ? 'Origin: null, and no Sec-Fetch-Site to say it is this site' : undefined;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return `an Origin that is not a URL`;
  }
  const wanted = (header(req, 'host') ?? '').toLowerCase();
  return host === wanted ? undefined : `Origin ${printable(origin)} is not this Host (${printable(wanted)})`;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Origin and Host are not secret, but a log line gets at most 100 printable characters of them. */
const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);

/** True at most once a minute per key (bounded memory): for log lines a client could repeat in a loop. */
export function oncePerMinute(now: () => number, maxKeys = 1000): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const at = last.get(key);
    if (at !== undefined && now() - at < 60_000) return false;
    if (last.size >= maxKeys) last.clear();
    last.set(key, now());
    return true;
  };
}
