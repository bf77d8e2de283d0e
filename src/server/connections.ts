/**
 * Open connections: at most `max` overall (Node's `maxConnections` closes the
 * rest at once) and `perClient` per client (an IPv4 address or an IPv6 /64),
 * so one machine holding thousands of idle sockets cannot starve the others.
 * Idle connections are closed after `connectionTimeout` (index.ts).
 * Behind a reverse proxy every client is the proxy: one client.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { clientKey } from './limiter.js';

export const CONNECTION_LIMITS = { max: 512, perClient: 64 };

export function limitConnections(app: FastifyInstance, limits: { max: number; perClient: number }): void {
  app.server.maxConnections = limits.max;
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const key = clientKey(socket.remoteAddress ?? '');
    const count = open.get(key) ?? 0;
    if (count >= limits.perClient) {
      socket.destroy();
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}
