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
 * - `act`: the bearer `server.token`, or a session signed in with it.
 *
 * Every request first passes the Host check (DNS rebinding: a page on another
 * site that resolves its own name to this machine is refused with 421) and,
 * for unsafe methods, the same-site check of origin.ts (403, logged once a
 * minute per client). Wrong credentials anywhere count towards the limits of
 * limiter.ts (10 a minute per address, 30 per IPv6 /64, 50 from everyone),
 * after which such clients get 429 with Retry-After for any
 * request carrying an Authorization header. Session cookies are not limited:
 * one that does not verify is cleared and counts as no session.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { silentLogger, type Logger } from '../base/log.js';
import { basicChecker } from './basic.js';
import { interfaceLister, machineAddresses } from '../lan.js';
import { createLimiter, type Limiter } from './limiter.js';
import { crossSiteReason, oncePerMinute } from './origin.js';
import { memorySessions, newSessionKey, readCookie, sessionCookie, sessionCookieName, type Sessions } from './session.js';
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
  /** Signs, checks and ends the page's sessions (auth: token). */
  sessions: Sessions;
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
  /** By default kept in memory with `settings.sessionKey`. */
  sessions?: Sessions | undefined;
}

const NOBODY: Identity = { reader: false, actor: false, metrics: false, session: false };

/** Compares a secret in constant time: both sides are hashed to the same length first. */
export function secretMatches(given: string | undefined, wanted: string | undefined): boolean {
  if (wanted === undefined) return false;
  const a = createHash('sha256')
    .update(given ?? '')
    .digest();
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
  const sessions = deps.sessions ?? memorySessions(settings.sessionKey ?? newSessionKey());
  const cookieName = sessionCookieName(Boolean(settings.tls));
  const authenticate = authenticator(settings, sessions, cookieName, limiter, now);
  const identities = new WeakMap<FastifyRequest, Identity>();
  const logRefusal = oncePerMinute(now);

  const report = (req: FastifyRequest, reason: string, count: number): void => {
    counters.failures.inc({ reason });
    const message =
      count >= limiter.max
        ? `Failed authentication from ${req.ip} (${reason}), ${count} within a minute: refusing its attempts for up to a minute`
        : `Failed authentication from ${req.ip} (${reason}) on ${req.method} ${req.url.split('?')[0]}`;
    // The first failure and the one that trips the limit are worth a warning; a burst in between is not.
    (count === 1 || count === limiter.max ? log.warn : log.debug)(message);
    if (limiter.globalBlockedFor() > 0 && logRefusal('global budget')) {
      log.warn(
        `${limiter.globalMax} failed authentications within a minute from all addresses together: refusing every sign-in attempt for up to a minute (signed-in sessions keep working)`,
      );
    }
  };
  const guard: Guard = {
    settings,
    sessions,
    identity: (req) => identities.get(req) ?? NOBODY,
    blockedFor: (req) => Math.max(limiter.blockedFor(req.ip), limiter.globalBlockedFor()),
    failed: (req, reason) => report(req, reason, limiter.fail(req.ip)),
    tooMany(reply, ms) {
      counters.limited.inc();
      return reply
        .code(429)
        .header('retry-after', String(Math.max(1, Math.ceil(ms / 1000))))
        .send({ error: 'too many failed attempts from this address, or from everyone together; wait and try again' });
    },
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!allowed(req.headers.host)) {
      return reply.code(421).send({ error: "misdirected request: this server does not answer to that Host name; if it is this machine's name, add it to server.hosts" });
    }
    const crossSite = crossSiteReason(req);
    if (crossSite) {
      if (logRefusal(`403 ${req.ip}`)) {
        log.warn(
          `Refused ${req.method} ${req.url.split('?')[0]} from ${req.ip} with 403 as a request from another site (${crossSite}); if this was ddnsd's own page, open it by a name in server.hosts and check that no proxy or extension rewrites Origin`,
        );
      }
      return reply.code(403).send({ error: 'forbidden: a request from another site' });
    }
    const access = req.routeOptions.config?.access ?? 'read';
    // A session cookie is not limited: it cannot be guessed, so a wrong one is never counted.
    const wait = req.headers.authorization === undefined ? 0 : guard.blockedFor(req);
    if (wait > 0) {
      // A public route answers as if no credentials came (/healthz gives its verdict, so `ddnsd health`
      // keeps working while someone else spends the shared budget); the rest get 429.
      if (access !== 'public' || req.routeOptions.config?.ownCredentials) return guard.tooMany(reply, wait);
      identities.set(req, NOBODY);
      return undefined;
    }
    if (access === 'public' && req.routeOptions.config?.ownCredentials) return undefined;
    const result = await authenticate(req);
    if (result.clear) reply.header('set-cookie', sessionCookie('', Boolean(settings.tls)));
    if (result.refused?.code === 429) return guard.tooMany(reply, result.refused.ms);
    if (result.refused) return reply.code(503).header('retry-after', '1').send({ error: 'busy checking other sign-ins; try again in a second' });
    if (result.failure && result.counted !== 0) report(req, result.failure, result.counted ?? limiter.fail(req.ip));
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
    return reply.code(401).header('www-authenticate', 'Bearer realm="ddnsd"').send({ error: 'missing or wrong token: send "Authorization: Bearer <server.token>"' });
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
  /** The client's failures counted before the check (Basic), this one included; 0 for a guess already counted. */
  counted?: number;
  /** Clear the session cookie: expired, signed out, or not one this ddnsd signed. */
  clear?: boolean;
  refused?: { code: 429 | 503; ms: number };
}

/**
 * Checks whatever credential the request carries. A session cookie that does
 * not verify (a key from before a restart without the state folder, signed
 * out, expired) is no session: it is cleared, not counted as a failure.
 */
function authenticator(settings: GuardSettings, sessions: Sessions, cookieName: string, limiter: Limiter, now: () => number): (req: FastifyRequest) => Promise<AuthResult> {
  const basic = settings.basic ? basicChecker(settings.basic, limiter, secretMatches) : undefined;
  return async (req) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const bearer = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header)?.[1];
      const basicValue = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(header)?.[1];
      if (bearer !== undefined) {
        const actor = secretMatches(bearer, settings.token);
        const metrics = secretMatches(bearer, settings.metricsToken);
        if (actor || metrics) return { identity: { reader: actor, actor, metrics, session: false } };
        return { identity: NOBODY, failure: 'wrong token' };
      }
      if (basicValue !== undefined && basic) {
        const verdict = await basic(req.ip, basicValue);
        if (verdict.ok) return { identity: { ...NOBODY, reader: true } };
        if (verdict.refused) return { identity: NOBODY, refused: verdict.refused };
        return { identity: NOBODY, failure: 'wrong user name or password', counted: verdict.count ?? 0 };
      }
      return { identity: NOBODY, failure: 'an Authorization header ddnsd does not accept here' };
    }
    const cookie = readCookie(req.headers.cookie, cookieName);
    if (cookie !== undefined && settings.auth === 'token') {
      // Signing in proved the token, so a session may also start a cycle (same Origin checks, SameSite=Strict).
      if (sessions.check(cookie, now()) === 'valid') return { identity: { reader: true, actor: true, metrics: false, session: true } };
      return { identity: NOBODY, clear: true };
    }
    return { identity: NOBODY };
  };
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
