/**
 * An IP echo that answers with the address the request came from, as
 * ipify and icanhazip do (https://www.ipify.org/: "returns your public IP
 * address"): a client bound to 127.0.0.2 hears 127.0.0.2. `said` maps a
 * client address to the public address to answer for it, so tests can give
 * each link its own external address. Counts requests per client address.
 * Listens on 127.0.0.1 unless told another local address (the far end of an
 * uplink in test/uplinks.test.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WhoAmI {
  url: string;
  /** Client address → the address answered; unmapped clients hear their own address. */
  said: Map<string, string>;
  /** Requests received, by client address. */
  from: Map<string, number>;
  close(): Promise<void>;
}

export async function startWhoAmI(said: Record<string, string> = {}, host = '127.0.0.1'): Promise<WhoAmI> {
  const me = { said: new Map(Object.entries(said)), from: new Map<string, number>() } as WhoAmI;
  const server = createServer((req, res) => {
    const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    me.from.set(client, (me.from.get(client) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${me.said.get(client) ?? client}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  me.url = `http://${host}:${(server.address() as AddressInfo).port}/`;
  me.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return me;
}
