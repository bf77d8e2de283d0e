/**
 * An echoip-compatible port probe on loopback: GET /port/{port} answers
 * {"ip": …, "port": …, "reachable": …} as ifconfig.co does. `open` holds the
 * ports it calls reachable. Counts what it got.
 */
import { send, startFake, type FakeServer } from './server.js';

export interface FakeProbe extends FakeServer {
  /** The address the probe says it saw. */
  ip: string;
  open: Set<number>;
}

export async function startProbe(ip: string, open: number[] = []): Promise<FakeProbe> {
  const probe = { ip, open: new Set(open) } as FakeProbe;
  const fake = await startFake((req, res) => {
    const m = /^\/port\/(\d+)$/.exec(req.url.pathname);
    if (!m) return send(res, 404, 'not found');
    const port = Number(m[1]);
    send(res, 200, JSON.stringify({ ip: probe.ip, port, reachable: probe.open.has(port) }), { 'content-type': 'application/json' });
  });
  return Object.assign(probe, fake);
}
