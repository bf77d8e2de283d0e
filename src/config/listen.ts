/** server.listen and DDNSD_LISTEN: an address and port to serve the status on. Free of the schema library, so `ddnsd health` can read it quickly. */

export interface Listen {
  host: string;
  port: number;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`, `localhost:8080`, or a bare port on 127.0.0.1. */
export function parseListen(value: string | number): Listen | string {
  const hint = 'write it as 127.0.0.1:8080, 0.0.0.0:8080 (every interface) or [::1]:8080';
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return portOf(text, '127.0.0.1', hint);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (!m) return `"${text}" is not a listen address; ${hint}`;
  const host = m[1] ?? m[2] ?? '';
  const validHost =
    host === 'localhost' ||
    (m[1] !== undefined && isIPv6Literal(host)) ||
    (m[2] !== undefined && /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) && host.split('.').every((n) => Number(n) <= 255));
  if (!validHost) return `"${host}" is not an IP address to listen on; ${hint}`;
  return portOf(m[3] ?? '', host, hint);
}

function isIPv6Literal(host: string): boolean {
  try {
    return new URL(`http://[${host}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function portOf(text: string, host: string, hint: string): Listen | string {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `port ${text} is out of range (1-65535); ${hint}`;
  return { host, port };
}
