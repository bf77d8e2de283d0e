/**
 * A front on loopback that passes each request on to a fake behind it, over
 * plain http or TLS with a self-signed certificate for 127.0.0.1. It keeps
 * its address while the fake behind it is swapped (`target`), so one config
 * can be run against fresh fakes; TLS lets clients that only speak https
 * (ddclient's DuckDNS and Cloudflare) reach a fake.
 */
import { createServer as createHttp, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './tls.js';

export interface Front {
  url: string;
  /** The fake requests go on to, e.g. http://127.0.0.1:4711. */
  target: string;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost; certFile is its path, for a client's CA list. */
export function selfSigned(dir: string): { cert: string; key: string; certFile: string } {
  const pair = selfSignedCert(dir, { keyType: 'rsa:2048', cn: '127.0.0.1' });
  return { cert: pair.certPem, key: pair.keyPem, certFile: pair.cert };
}

export async function startFront(options: { target: string; tls?: { cert: string; key: string }; path?: (path: string) => string }): Promise<Front> {
  const front = { target: options.target } as Front;
  const pass = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://front');
    const path = (options.path ?? ((p) => p))(url.pathname) + url.search;
    const out = request(`${front.target}${path}`, { method: req.method, headers: { ...req.headers, host: new URL(front.target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (error) => res.writeHead(502).end(error.message));
    req.pipe(out);
  };
  const server = options.tls ? createHttps({ cert: options.tls.cert, key: options.tls.key }, pass) : createHttp(pass);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  front.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  front.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return front;
}
