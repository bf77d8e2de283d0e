/** A local HTTP server on 127.0.0.1 (or ::1), port 0, that records every request it receives. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { misbehave, type Misbehaviour } from './faulty.js';

export interface Recorded {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeServer {
  url: string;
  requests: Recorded[];
  /** Misbehave on the next N requests instead of speaking the protocol (Infinity: from now on). */
  misbehaveNext(count: number, m: Misbehaviour): void;
  close(): Promise<void>;
}

export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export async function startFake(handler: Handler, host = '127.0.0.1'): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const queue: Misbehaviour[] = [];
  let always: Misbehaviour | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://fake'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const m = queue.shift() ?? always;
      if (m) {
        void misbehave(res, m);
        return;
      }
      Promise.resolve(handler(recorded, res)).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    misbehaveNext(count, m) {
      if (count === Infinity) always = m;
      else for (let i = 0; i < count; i++) queue.push(m);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}
