/**
 * Who may read and who may act, and which Host names are answered: one
 * onRequest hook for every route, so nothing is served before it ran.
 *
 * A route says what it needs in its config, one line:
 *
 *   app.get('/api/status', { config: { access: 'read' } }, handler)
 *   app.get('/nic/update', { config: { access: 'public', ownCredentials: true } }, handler)
 *     // checks its own credentials; guard.failed(req, 'wrong password') after a wrong one
 *
 * - `public`: anyone who passes the Host check (assets, /healthz, sign-in).
 * - `read` (the default, so a route that says nothing is protected): a reader;
 *   with `signIn: true` an unauthenticated browser gets the sign-in page.
 * - `metrics`: `server.metrics_token`, or a reader.
 * - `act`: the bearer `server.token`.
 *
 * Every request first passes the Host check (DNS rebinding: a page on another
 * site that resolves its own name to this machine is refused with 421) and,
 * for unsafe methods, an Origin check (403). Wrong credentials anywhere count
 * towards the per-address limit (10 a minute), after which that address gets
 * 429 with Retry-After for any request carrying credentials.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { interfaceLister, machineAddresses } from '../lan.js';
import { silentLogger, type Logger } from '../log.js';
import { parsePasswordHash, verifyPassword, type PasswordHash } from '../password.js';
import { createLimiter, type Limiter } from './limiter.js';
import { checkSession, readCookie, SESSION_COOKIE, sessionCookie } from './session.js';
import type { AccessSettings } from './types.js';

export type Access = 'public' | 'read' | 'metrics' | 'act';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** For `read` routes a browser opens: answer an unauthenticated visitor with the sign-in page. */
    signIn?: boolean;
    /** A `public` route that checks its own Authorization header (the router endpoint): the guard does not read it. */
    ownCredentials?: boolean;
  }
}

export interface Identity {
  reader: boolean;
  actor: boolean;
  metrics: boolean;
  /** Signed in with the session cookie (the page then offers "Sign out"). */
  session: boolean;
}

export interface Guard {
  /** What the request proved; set by the hook before any handler runs. */
  identity(req: FastifyRequest): Identity;
  blockedFor(req: FastifyRequest): number;
  /** Counts a failed authentication of this client, logs it and counts it in the metrics. */
  failed(req: FastifyRequest, reason: string): void;
  /** Answers 429 with Retry-After. */
  tooMany(reply: FastifyReply, ms: number): FastifyReply;
  settings: GuardSettings;
}

export type GuardSettings = AccessSettings & { token: string | undefined };

export interface GuardDeps {
  settings: GuardSettings;
  now: () => number;
  log?: Logger | undefined;
  registry: Registry;
  ownAddresses?: (() => string[]) | undefined;
  /** The sign-in page for `signIn` routes (auth: token). */
  signInPage?: () => string;
}

const NOBODY: Identity = { reader: false, actor: false, metrics: false, session: false };

/** Compares a secret in constant time: both sides are hashed to the same length first. */
export function secretMatches(given: string | undefined, wanted: string | undefined): boolean {
  if (wanted === undefined) return false;
  const a = createHash('sha256').update(given ?? '').digest();
  const b = createHash('sha256').update(wanted).digest();
  return timingSafeEqual(a, b) && given !== undefined;
}

export function registerGuard(app: FastifyInstance, deps: GuardDeps): Guard {
  const { settings, now } = deps;
  const log = deps.log ?? silentLogger;
  const limiter = createLimiter({ now });
  const counters = authCounters(deps.registry);
  const lister = interfaceLister((m) => log.warn(m));
  const allowed = hostAllowList(settings, deps.ownAddresses ?? (() => machineAddresses(lister())), now);
  const authenticate = authenticator(settings, now);
  const identities = new WeakMap<FastifyRequest, Identity>();

  const guard: Guard = {
    settings,
    identity: (req) => identities.get(req) ?? NOBODY,
    blockedFor: (req) => limiter.blockedFor(req.ip),
    failed(req, reason) {
      const count = limiter.fail(req.ip);
      counters.failures.inc({ reason });
      const message =
        count >= limiter.max
          ? `Failed authentication from ${req.ip} (${reason}), ${count} within a minute: refusing its attempts for up to a minute`
          : `Failed authentication from ${req.ip} (${reason}) on ${req.method} ${req.url.split('?')[0]}`;
      // The first failure and the one that trips the limit are worth a warning; a burst in between is not.
      (count === 1 || count === limiter.max ? log.warn : log.debug)(message);
    },
    tooMany(reply, ms) {
      counters.limited.inc();
      return reply
        .code(429)
        .header('retry-after', String(Math.max(1, Math.ceil(ms / 1000))))
        .send({ error: 'too many failed attempts from this address; wait and try again' });
    },
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!allowed(req.headers.host)) {
      return reply.code(421).send({ error: 'misdirected request: this server does not answer to that Host name; if it is this machine\'s name, add it to server.hosts' });
    }
    if (!sameOrigin(req)) return reply.code(403).send({ error: 'forbidden: a request from another site' });
    const access = req.routeOptions.config?.access ?? 'read';
    const presented = req.headers.authorization !== undefined || readCookie(req.headers.cookie, SESSION_COOKIE) !== undefined;
    if (presented) {
      const wait = limiter.blockedFor(req.ip);
      if (wait > 0) return guard.tooMany(reply, wait);
    }
    if (access === 'public' && req.routeOptions.config?.ownCredentials) return undefined;
    const result = await authenticate(req);
    if (result.expired) reply.header('set-cookie', sessionCookie('', Boolean(settings.tls)));
    if (result.failure) guard.failed(req, result.failure);
    identities.set(req, result.identity);
    return decide(access, result.identity, settings, req, reply, deps.signInPage);
  });
  return guard;
}

function decide(
  access: Access,
  who: Identity,
  settings: GuardSettings,
  req: FastifyRequest,
  reply: FastifyReply,
  signInPage: (() => string) | undefined,
): FastifyReply | undefined {
  if (access === 'public') return undefined;
  if (access === 'act') {
    if (who.actor) return undefined;
    if (!settings.token) return reply.code(404).send({ error: 'not found: updating on request is off; set server.token in the config to turn it on' });
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="ddnsd"')
      .send({ error: 'missing or wrong token: send "Authorization: Bearer <server.token>"' });
  }
  const open = access === 'metrics' ? (settings.metricsToken ? false : settings.publicRead) : settings.publicRead;
  if (open || who.reader || (access === 'metrics' && who.metrics)) return undefined;
  if (settings.auth === 'basic') {
    return reply.code(401).header('www-authenticate', 'Basic realm="ddnsd", charset="UTF-8"').send({ error: 'sign in with the user name and password of server.username' });
  }
  if (req.routeOptions.config?.signIn && settings.auth === 'token' && signInPage) {
    return reply.code(401).type('text/html; charset=utf-8').send(signInPage());
  }
  const what = access === 'metrics' ? 'server.metrics_token or server.token' : 'server.token';
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="ddnsd"')
    .send({ error: `sign in first: send "Authorization: Bearer <${what}>", or sign in on the page` });
}


interface AuthResult {
  identity: Identity;
  failure?: string;
  expired?: boolean;
}

/** Checks whatever credential the request carries. Verified Basic headers are remembered (by hash) so scrypt runs once per browser. */
function authenticator(settings: GuardSettings, now: () => number): (req: FastifyRequest) => Promise<AuthResult> {
  const hash: PasswordHash | undefined = settings.basic ? (parsePasswordHash(settings.basic.passwordHash) as PasswordHash) : undefined;
  const verified = new Set<string>();
  return async (req) => {
    const header = req.headers.authorization;
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (header !== undefined) {
      const bearer = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header)?.[1];
      const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(header)?.[1];
      if (bearer !== undefined) {
        const actor = secretMatches(bearer, settings.token);
        const metrics = secretMatches(bearer, settings.metricsToken);
        if (actor || metrics) return { identity: { reader: actor, actor, metrics, session: false } };
        return { identity: NOBODY, failure: 'wrong token' };
      }
      if (basic !== undefined && settings.basic && hash) {
        const key = createHash('sha256').update(basic).digest('hex');
        if (verified.has(key)) return { identity: { ...NOBODY, reader: true } };
        const text = Buffer.from(basic, 'base64').toString('utf8');
        const colon = text.indexOf(':');
        const userOk = secretMatches(colon < 0 ? '' : text.slice(0, colon), settings.basic.username);
        const passOk = await verifyPassword(colon < 0 ? '' : text.slice(colon + 1), hash);
        if (!userOk || !passOk) return { identity: NOBODY, failure: 'wrong user name or password' };
        if (verified.size >= 32) verified.clear();
        verified.add(key);
        return { identity: { ...NOBODY, reader: true } };
      }
      return { identity: NOBODY, failure: 'an Authorization header ddnsd does not accept here' };
    }
    if (cookie !== undefined && settings.auth === 'token') {
      const check = checkSession(settings.sessionKey, cookie, now());
      if (check === 'valid') return { identity: { ...NOBODY, reader: true, session: true } };
      if (check === 'expired') return { identity: NOBODY, expired: true };
      return { identity: NOBODY, failure: 'a tampered session cookie' };
    }
    return { identity: NOBODY };
  };
}

/** For POST and other unsafe methods: a browser's Origin (or Sec-Fetch-Site) must be this very site. */
function sameOrigin(req: FastifyRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return true;
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

function authCounters(registry: Registry): { failures: Counter<'reason'>; limited: Counter } {
  const existing = (name: string): unknown => registry.getSingleMetric(name);
  const failures =
    (existing('ddnsd_auth_failures_total') as Counter<'reason'> | undefined) ??
    new Counter({ name: 'ddnsd_auth_failures_total', help: 'Failed authentications at the status server, by reason.', labelNames: ['reason'] as const, registers: [registry] });
  const limited =
    (existing('ddnsd_auth_rate_limited_total') as Counter | undefined) ??
    new Counter({ name: 'ddnsd_auth_rate_limited_total', help: 'Requests refused with 429 after too many failed authentications from one address.', registers: [registry] });
  return { failures, limited };
}

/** The host part of a Host header, lowercased, without port, brackets or a trailing dot. */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  const m = h.startsWith('[') ? /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(h) : /^([^:]+)(?::\d+)?$/.exec(h);
  return m?.[1]?.replace(/\.$/, '');
}

/**
 * The Host names answered: loopback names, the listen address, this machine's
 * name and addresses, and `server.hosts`. The machine's addresses are read
 * again at most every 10 s, so a new DHCP lease is picked up.
 */
export function hostAllowList(settings: Pick<GuardSettings, 'hosts' | 'listen'>, own: () => string[], now: () => number): (header: string | undefined) => boolean {
  const name = hostname().toLowerCase();
  const fixed = new Set(['localhost', '::1', name, `${name}.local`, settings.listen.host.toLowerCase(), ...settings.hosts]);
  let addresses = new Set<string>();
  let readAt = -Infinity;
  return (header) => {
    const host = hostOf(header);
    if (host === undefined) return false;
    if (fixed.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
    if (now() - readAt > 10_000) {
      addresses = new Set(own());
      readAt = now();
    }
    return addresses.has(host);
  };
}
