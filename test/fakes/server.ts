/**
 * A local HTTP server on 127.0.0.1 (or ::1), port 0, that records every
 * request it receives. `latencyMs` delays each answer (0 in tests; the
 * benchmarks use it to stand in for a provider across the internet), and
 * `traffic()` counts the bytes that crossed its sockets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
  /** Bytes that crossed its sockets so far. */
  traffic(): Traffic;
  /** The most requests it was answering at one time. */
  maxInFlight(): number;
  /** Holds every answer from now on until `release()`, to see what a client sends while it waits. */
  hold(): void;
  /** How many requests wait for an answer under `hold()`. */
  held(): number;
  /** Answers the held requests, and every later one at once. */
  release(): void;
}

export interface FakeOptions {
  /** Delay before each request is answered, in milliseconds (default 0). */
  latencyMs?: number;
}

/** Bytes read from and written to clients so far, over every connection. */
export interface Traffic {
  bytesIn: number;
  bytesOut: number;
}

export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export async function startFake(handler: Handler, host = '127.0.0.1', options: FakeOptions = {}): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const queue: Misbehaviour[] = [];
  let always: Misbehaviour | undefined;
  let inFlight = 0;
  let maxInFlight = 0;
  let held: (() => void)[] | undefined;
  const latencyMs = options.latencyMs ?? 0;
  const sockets = new Set<Socket>();
  const closed: Traffic = { bytesIn: 0, bytesOut: 0 };
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
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => (inFlight -= 1));
      const m = queue.shift() ?? always;
      if (m) {
        void misbehave(res, m);
        return;
      }
      const answer = (): void => {
        Promise.resolve(handler(recorded, res)).catch((error: Error) => {
          res.statusCode = 500;
          res.end(error.message);
        });
      };
      if (held) held.push(answer);
      else if (latencyMs > 0) setTimeout(answer, latencyMs);
      else answer();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      closed.bytesIn += socket.bytesRead;
      closed.bytesOut += socket.bytesWritten;
      sockets.delete(socket);
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
    maxInFlight: () => maxInFlight,
    hold: () => void (held ??= []),
    held: () => held?.length ?? 0,
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    traffic() {
      const t = { ...closed };
      for (const s of sockets) {
        t.bytesIn += s.bytesRead;
        t.bytesOut += s.bytesWritten;
      }
      return t;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  // A Content-Length rather than chunked encoding, as most providers answer (and some old clients need).
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}
