/** The JSON API: status, health, metrics and the token-protected "update now". Who may call what is the guard's job (guard.ts). */
import type { FastifyInstance } from 'fastify';
import { judgeHealth } from '../status.js';
import { secretMatches, type Guard } from './guard.js';
import type { Metrics } from './metrics.js';
import type { ServerDeps } from './types.js';

/** Compares the bearer token in constant time: both sides are hashed to the same length first. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header ?? '');
  return secretMatches(match?.[1] ?? '', token) && match !== null;
}

export function registerApi(app: FastifyInstance, deps: ServerDeps & { metrics: Metrics }, guard: Guard): void {
  app.get('/api/status', { config: { access: 'read' } }, async () => deps.status());

  // Orchestrators and `ddnsd health` ask without credentials: they get the verdict; the reasons
  // (which name hosts and errors) only go to a reader.
  app.get('/healthz', { config: { access: 'public' } }, async (req, reply) => {
    const health = judgeHealth(deps.status());
    return reply.code(health.ok ? 200 : 503).send(guard.identity(req).reader || guard.settings.publicRead ? health : { ok: health.ok });
  });

  app.get('/metrics', { config: { access: 'metrics' } }, async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  const { runNow } = deps;
  // The guard checks the token before the body is read, so nobody without it gets to send one.
  // The cycle also sends hosts paused by ddnsd's own backoff (as `once --force`); the answer
  // names the hosts it still holds back (needs attention, or a pause the provider asked for).
  app.post('/api/update', { config: { access: 'act' } }, async (_req, reply) => {
    if (!runNow) return reply.code(404).send({ error: 'not found: updating on request is off; set server.token in the config to turn it on' });
    const cycle = runNow();
    // The loop logs a failed cycle; this only keeps the promise from going unhandled.
    cycle.done.catch(() => {});
    return reply.code(202).send({ id: cycle.id, joined: cycle.joined, notRetried: cycle.notRetried ?? [] });
  });
}
