/**
 * The status server. `buildServer` returns the app and never listens: the
 * caller listens, tests use `inject()`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { judgeHealth, type Status } from '../status.js';

export interface ServerDeps {
  status(): Status;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
  });

  app.get('/api/status', async () => deps.status());

  app.get('/healthz', async (_req, reply) => {
    const health = judgeHealth(deps.status());
    return reply.code(health.ok ? 200 : 503).send(health);
  });

  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({ error: 'not found', path: req.url.split('?')[0] }),
  );
  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, _req, reply) => {
    const code = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(code).send({ error: code === 500 ? 'internal error' : (error.message ?? 'bad request') });
  });
  return app;
}
