/** The JSON API: status, health, metrics and the token-protected "update now". */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { judgeHealth } from '../status.js';
import type { ServerDeps } from './index.js';
import type { Metrics } from './metrics.js';

/** Compares the bearer token in constant time: both sides are hashed to the same length first. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header ?? '');
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const wanted = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, wanted) && match !== null;
}

export function registerApi(app: FastifyInstance, deps: ServerDeps & { metrics: Metrics }): void {
  app.get('/api/status', async () => deps.status());

  app.get('/healthz', async (_req, reply) => {
    const health = judgeHealth(deps.status());
    return reply.code(health.ok ? 200 : 503).send(health);
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  const { token, runNow } = deps;
  app.post(
    '/api/update',
    {
      // Checked before the body is read, so nobody without the token gets to send one.
      onRequest: async (req, reply) => {
        if (!token || !runNow) {
          return reply.code(404).send({ error: 'not found: updating on request is off; set server.token in the config to turn it on' });
        }
        if (!bearerMatches(req.headers.authorization, token)) {
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer realm="ddnsd"')
            .send({ error: 'missing or wrong token: send "Authorization: Bearer <server.token>"' });
        }
      },
    },
    async (_req, reply) => {
      const cycle = (runNow as NonNullable<typeof runNow>)();
      // The loop logs a failed cycle; this only keeps the promise from going unhandled.
      cycle.done.catch(() => {});
      return reply.code(202).send({ id: cycle.id, joined: cycle.joined });
    },
  );
}
