/**
 * Misbehaviour on command, for the fault suite: answers a fake server can
 * give instead of the protocol's, from bad text to connections that reset,
 * trickle or never answer. Every wait here is bounded.
 */
import type { ServerResponse } from 'node:http';

export type Misbehaviour =
  | { kind: 'answer'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'redirect'; location: string }
  | { kind: 'huge'; bytes: number }
  | { kind: 'trickle'; first: string }
  | { kind: 'reset' }
  | { kind: 'reset-mid-response'; partial: string }
  | { kind: 'hang' };

export interface Delivery {
  /** Bytes the server wrote before the client went away or the answer ended. */
  bytesWritten: number;
  /** The client closed the connection before the whole answer was sent. */
  cutShort: boolean;
}

/** Answers `res` the way `m` says. Resolves when the exchange is over (or at once for `hang`). */
export function misbehave(res: ServerResponse, m: Misbehaviour): Promise<Delivery> {
  const delivery: Delivery = { bytesWritten: 0, cutShort: false };
  return new Promise((resolve) => {
    const done = (): void => resolve(delivery);
    res.on('close', () => {
      if (!res.writableFinished) delivery.cutShort = true;
      done();
    });
    switch (m.kind) {
      case 'answer':
        res.writeHead(m.status, { 'content-type': 'text/plain', ...m.headers });
        res.end(m.body);
        delivery.bytesWritten = Buffer.byteLength(m.body);
        return;
      case 'redirect':
        res.writeHead(302, { location: m.location });
        res.end();
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(m.bytes) });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = (): void => {
          while (delivery.bytesWritten < m.bytes && !res.destroyed) {
            const size = Math.min(chunk.length, m.bytes - delivery.bytesWritten);
            delivery.bytesWritten += size;
            if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end();
        };
        pump();
        return;
      }
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let i = 0;
        // One byte a second, for at most a minute.
        const timer = setInterval(() => {
          if (res.destroyed || i >= 60) {
            clearInterval(timer);
            if (!res.destroyed) res.end();
            return;
          }
          res.write(m.first[i % m.first.length] ?? ' ');
          delivery.bytesWritten += 1;
          i += 1;
        }, 1000);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'reset':
        res.socket?.destroy();
        return;
      case 'reset-mid-response':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(m.partial.length + 100) });
        res.write(m.partial);
        delivery.bytesWritten = m.partial.length;
        setImmediate(() => res.socket?.destroy());
        return;
      case 'hang':
        // Never answers; the client's deadline or the server's close ends it.
        return;
    }
  });
}
