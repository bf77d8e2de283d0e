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

/** Query keys whose values are credentials, whatever they look like. */
const CREDENTIAL_KEY = /token|key|pass|pwd|secret|auth|sig|hash|code/i;

/** A literal that looks like a token: long, or mixing letters and digits. */
const tokenLike = (value: string): boolean => value.length >= 16 || (value.length >= 8 && /\d/.test(value) && /[A-Za-z]/.test(value));

/** The literal text of a template piece around its placeholders, decoded as well as written. */
function literals(piece: string): string[] {
  const parts = piece.split(/\{[A-Za-z0-9_]+\}/).filter((p) => p.length > 0);
  return parts.flatMap((p) => {
    try {
      const decoded = decodeURIComponent(p.replace(/\+/g, ' '));
      return decoded === p ? [p] : [p, decoded];
    } catch {
      return [p];
    }
  });
}

/** The text before the first `mark` and after it (empty without one). */
function splitAt(text: string, mark: string): [string, string] {
  const at = text.indexOf(mark);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** `key=value` pairs of a query string or a form body, as written. */
const pairs = (text: string): [string, string][] =>
  text
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const at = p.indexOf('=');
      return at < 0 ? ['', p] : [p.slice(0, at), p.slice(at + 1)];
    });

/**
 * The parts of a URL template (or a form body template) that may be a
 * secret on their own: the password before the host, every path
 * segment and query value that looks like a token, and every value of a
 * query key that names a credential (token=, key=, password=, …). Words
 * such as `update` or `v1` are left alone, so messages stay readable.
 */
export function secretParts(template: string, form = false): string[] {
  const out: string[] = [];
  const pick = (value: string, credential: boolean): void => {
    for (const literal of literals(value)) if (credential ? literal.length >= 4 : tokenLike(literal)) out.push(literal);
  };
  const query = (text: string): void => {
    for (const [key, value] of pairs(text)) pick(value, CREDENTIAL_KEY.test(key));
  };
  if (form) {
    query(template);
    return [...new Set(out)];
  }
  const rest = template.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    // user:password@host: the password always; the user name when it looks like a token.
    const [user, password] = splitAt(authority.slice(0, at), ':');
    pick(user, false);
    pick(password, true);
  }
  const tail = slash < 0 ? '' : rest.slice(slash);
  const [beforeFragment, fragment] = splitAt(tail, '#');
  const [path, search] = splitAt(beforeFragment, '?');
  for (const segment of path.split('/')) pick(segment, false);
  query(search);
  query(fragment);
  return [...new Set(out)];
}
