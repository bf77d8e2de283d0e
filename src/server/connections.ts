/**
 * Open connections: at most `max` overall (Node's `maxConnections` closes the
 * rest at once), `perClient` per client address and `perPrefix` per IPv6 /64
 * (one host can use a whole /64), so one machine holding thousands of idle
 * sockets cannot starve the others. Idle connections are closed after
 * `connectionTimeout` (index.ts). Behind a reverse proxy every client is the
 * proxy: one client.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { clientKey, prefixKey } from './limiter.js';

export interface ConnectionLimits {
  max: number;
  perClient: number;
  perPrefix?: number;
}

export const CONNECTION_LIMITS: Required<ConnectionLimits> = { max: 512, perClient: 64, perPrefix: 256 };

export function limitConnections(app: FastifyInstance, limits: ConnectionLimits): void {
  app.server.maxConnections = limits.max;
  const perPrefix = limits.perPrefix ?? CONNECTION_LIMITS.perPrefix;
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const prefix = prefixKey(address);
    const keys: [string, number][] = prefix
      ? [
          [clientKey(address), limits.perClient],
          [prefix, perPrefix],
        ]
      : [[clientKey(address), limits.perClient]];
    if (keys.some(([key, limit]) => (open.get(key) ?? 0) >= limit)) {
      socket.destroy();
      return;
    }
    for (const [key] of keys) open.set(key, (open.get(key) ?? 0) + 1);
    socket.once('close', () => {
      for (const [key] of keys) {
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      }
    });
  });
}
