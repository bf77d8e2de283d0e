/**
 * The status server: the page, the JSON API, health and metrics.
 * `buildServer` returns the app and never listens: the caller listens, tests
 * use `inject()`. Everything it needs comes in `deps`; it reads no globals.
 */
import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { registerApi } from './api.js';
import { STATUS_JS, STYLE_CSS } from './assets.js';
import { createEvents } from '../cycle/events.js';
import { registerGuard, type GuardSettings } from './guard.js';
import { createMetrics } from './metrics.js';
import { registerNicUpdate } from './nic-update.js';
import { renderPage } from './page.js';
import { registerSignIn, renderSignIn } from './signin.js';
import { registerSettings } from './settings.js';
import { limitConnections, CONNECTION_LIMITS } from './connections.js';
import { readTlsPair, TLS_OPTIONS, watchTls } from './tls.js';
import { formatListen, isLoopback } from '../config/server.js';
import { silentLogger } from '../base/log.js';
import type { ServerDeps } from './types.js';

/** fastify's schema compilers, for a server whose routes declare no schema. */
function noSchemas(): () => never {
  return () => {
    throw new Error('ddnsd routes declare no schema: check the input in the handler (src/server/index.ts, schemaController)');
  };
}

export type { RunNow, ServerDeps } from './types.js';

/** Loopback with open reads: what `server` means when the config says nothing. */
const DEFAULT_ACCESS = {
  auth: 'none',
  publicRead: true,
  metricsToken: undefined,
  basic: undefined,
  hosts: [],
  tls: undefined,
  listen: { host: '127.0.0.1', port: 8080 },
} as const satisfies Omit<GuardSettings, 'token'>;

/** Largest request body accepted; nothing ddnsd serves needs more. */
export const BODY_LIMIT = 16 * 1024;

/** Only same-origin scripts, styles and fetches; no frames, plugins or inline code. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Sent with every answer. There are deliberately no CORS headers.
 * `same-origin`: no Referer leaves for another site, and the browser still
 * names this origin on the page's own POSTs (with `no-referrer`, Chromium
 * sends `Origin: null`, which the same-site check must refuse).
 */
const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};
/** Over TLS: browsers that saw it once use https only for a year (no sub-domains: ddnsd does not own them). */
const HSTS = 'max-age=31536000';

export function buildServer(deps: ServerDeps): FastifyInstance {
  const settings: GuardSettings = { ...DEFAULT_ACCESS, ...deps.access, token: deps.token };
  const headers = settings.tls ? { ...SECURITY_HEADERS, 'strict-transport-security': HSTS } : SECURITY_HEADERS;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // A client must send its whole request within 10 s: slow-loris connections are closed, not kept forever.
    requestTimeout: 10_000,
    // A connection with nothing to say for 30 s is closed (the page asks every 5 s on the same connection).
    connectionTimeout: 30_000,
    // A URL that cannot be decoded: answered like every other bad request.
    // Hooks do not run for these, hence the headers here.
    frameworkErrors: (error, _req, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .headers(headers)
        .send({ error: `bad request: ${error.message}` });
    },
    ...(settings.tls ? { https: { ...readTlsPair(settings.tls), ...TLS_OPTIONS } } : {}),
    // No route declares a schema (each checks its own input), so fastify's default
    // compilers, which load ajv and fast-json-stringify as the server is built, are
    // never needed: these stand in and refuse, should a route ever declare one.
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
  }) as unknown as FastifyInstance;
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? createMetrics(deps.status, createEvents());

  limitConnections(app, deps.connections ?? CONNECTION_LIMITS);
  // Only JSON bodies (and the sign-in forms, signin.ts): a text/plain POST is what another site's form can send.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (_req, reply) => {
    reply.headers(headers);
  });
  if (!settings.tls && !isLoopback(settings.listen.host)) {
    (deps.log ?? silentLogger).warn(
      `The status page is served over plain HTTP on ${formatListen(settings.listen)}, beyond loopback: the token, the password and the session cookie cross the network readable; set server.tls, or put a reverse proxy with https in front`,
    );
  }
  if (settings.tls) {
    const server = app.server as unknown as HttpsServer;
    const watcher = watchTls(settings.tls, (pair) => server.setSecureContext({ ...pair, ...TLS_OPTIONS }), {
      log: deps.log ?? silentLogger,
      intervalMs: deps.tlsCheckMs ?? 10_000,
    });
    // `app.reloadTls()` checks the files now (tests; the interval does it otherwise).
    app.decorate('reloadTls', () => watcher.check());
    app.addHook('onClose', async () => watcher.stop());
  }
  const guard = registerGuard(app, {
    settings,
    now,
    log: deps.log,
    registry: metrics.registry,
    ownAddresses: deps.ownAddresses,
    signInPage: () => renderSignIn(),
    sessions: deps.sessions,
  });
  registerSignIn(app, guard, now);

  // `/?refresh=2` refreshes every 2 s (1 to 300), e.g. for a wall display.
  app.get<{ Querystring: { refresh?: string } }>('/', { config: { access: 'read', signIn: true } }, async (req, reply) => {
    const asked = Number(req.query.refresh);
    const refreshMs = Number.isInteger(asked) && asked >= 1 && asked <= 300 ? asked * 1000 : (deps.refreshMs ?? 5000);
    const canUpdate = Boolean(deps.token && deps.runNow);
    const page = renderPage(deps.status(), { now: now(), canUpdate, refreshMs, signOut: guard.identity(req).session });
    return reply.type('text/html; charset=utf-8').send(page);
  });
  const asset = { config: { access: 'public' as const } };
  app.get('/assets/status.css', asset, async (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLE_CSS));
  app.get('/assets/status.js', asset, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(STATUS_JS));

  registerApi(app, { ...deps, metrics }, guard);
  registerNicUpdate(app, deps.nicUpdate, guard);
  registerSettings(app, deps.settings, guard);

  app.setNotFoundHandler(async (req, reply) => reply.code(404).send({ error: 'not found', path: req.url.split('?')[0] }));
  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, _req, reply) => {
    const code = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(code).send({ error: code === 500 ? 'internal error' : (error.message ?? 'bad request') });
  });
  return app;
}
