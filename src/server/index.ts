/**
 * The status server: the page, the JSON API, health and metrics.
 * `buildServer` returns the app and never listens: the caller listens, tests
 * use `inject()`. Everything it needs comes in `deps`; it reads no globals.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { type Status } from '../status.js';
import { registerApi } from './api.js';
import { STATUS_JS, STYLE_CSS } from './assets.js';
import { createEvents } from '../cycle/events.js';
import { createMetrics, type Metrics } from './metrics.js';
import { registerNicUpdate, type NicUpdateDeps } from './nic-update.js';
import { renderPage } from './page.js';

export interface RunNow {
  /** The cycle's id. */
  id: number;
  /** True when a cycle was already running and this request joined it. */
  joined: boolean;
  done: Promise<unknown>;
}

export interface ServerDeps {
  status(): Status;
  /** `server.token`; without it, POST /api/update answers 404 and the page shows no button. */
  token?: string | undefined;
  /** Starts a cycle now, or joins the one in flight. */
  runNow?: () => RunNow;
  /** Defaults to a fresh registry fed from `status`. */
  metrics?: Metrics;
  now?: () => number;
  /** How often the page refreshes itself. */
  refreshMs?: number;
  /** `server.nic_update`: the dyndns2 endpoint routers push their address to; absent: off (404). */
  nicUpdate?: NicUpdateDeps | undefined;
}

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

/** Sent with every answer. There are deliberately no CORS headers. */
const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // A client must send its whole request within 10 s: slow-loris connections are closed, not kept forever.
    requestTimeout: 10_000,
    // A URL that cannot be decoded: answered like every other bad request.
    // Hooks do not run for these, hence the headers here.
    frameworkErrors: (error, _req, reply) =>
      (reply as FastifyReply).code(400).headers(SECURITY_HEADERS).send({ error: `bad request: ${error.message}` }),
  });
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? createMetrics(deps.status, createEvents());

  app.addHook('onSend', async (_req, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  // `/?refresh=2` refreshes every 2 s (1 to 300), e.g. for a wall display.
  app.get<{ Querystring: { refresh?: string } }>('/', async (req, reply) => {
    const asked = Number(req.query.refresh);
    const refreshMs = Number.isInteger(asked) && asked >= 1 && asked <= 300 ? asked * 1000 : (deps.refreshMs ?? 5000);
    const page = renderPage(deps.status(), { now: now(), canUpdate: Boolean(deps.token && deps.runNow), refreshMs });
    return reply.type('text/html; charset=utf-8').send(page);
  });
  app.get('/assets/status.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(STYLE_CSS));
  app.get('/assets/status.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(STATUS_JS));

  registerApi(app, { ...deps, metrics });
  registerNicUpdate(app, deps.nicUpdate);

  app.setNotFoundHandler(async (req, reply) => reply.code(404).send({ error: 'not found', path: req.url.split('?')[0] }));
  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, _req, reply) => {
    const code = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(code).send({ error: code === 500 ? 'internal error' : (error.message ?? 'bad request') });
  });
  return app;
}
