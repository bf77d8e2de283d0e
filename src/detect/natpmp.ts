/**
 * NAT-PMP (RFC 6886): ask the gateway for its external IPv4 address with
 * one UDP datagram to port 5351 (version 0, opcode 0); the answer is 12
 * bytes: version, opcode 128, result code, seconds since start, address.
 * The default gateway is read from /proc/net/route on Linux and from
 * `netstat -rn` on macOS.
 */
import { readFile } from 'node:fs';
import { promisify } from 'node:util';
import { exchangeOnce, type DnsServer } from '../base/dns.js';
import { DdnsError } from '../base/errors.js';

export const NATPMP_PORT = 5351;

const RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized or refused (NAT-PMP is off in the router)',
  3: 'network failure: the router has no external address yet',
  4: 'out of resources',
  5: 'unsupported opcode',
};

/** Parses a NAT-PMP external-address answer: the address, or throws saying what was wrong. */
export function parseNatpmpAnswer(answer: Buffer): string {
  if (answer.length < 12 || answer[0] !== 0 || answer[1] !== 128) {
    throw new DdnsError('bad-response', 'the gateway answered something that is not a NAT-PMP external-address answer');
  }
  const result = answer.readUInt16BE(2);
  if (result !== 0) throw new DdnsError('bad-response', `the gateway's NAT-PMP answer is result ${result}: ${RESULTS[result] ?? 'unknown'}`);
  return [...answer.subarray(8, 12)].join('.');
}

/** Asks `gateway` for its external address. */
export async function natpmpExternalAddress(gateway: DnsServer, signal: AbortSignal): Promise<string> {
  // node:dgram loads when a gateway is first asked, not with every start (as in base/dns.ts).
  const { createSocket } = await import('node:dgram');
  return exchangeOnce<string>(signal, (done) => {
    const socket = createSocket('udp4');
    socket.on('error', (error) => done(error));
    socket.on('message', (msg, from) => {
      if (from.address !== gateway.host) return; // only the gateway may answer
      try {
        done(undefined, parseNatpmpAnswer(msg));
      } catch (error) {
        done(error);
      }
    });
    socket.send(Buffer.from([0, 0]), gateway.port, gateway.host);
    return () => socket.close();
  });
}

/** The default route's gateway in /proc/net/route (hex, little-endian), or undefined. */
export function parseProcRoute(text: string): string | undefined {
  for (const line of text.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== '00000000' || !gateway || !flags || (Number.parseInt(flags, 16) & 0x2) === 0) continue;
    const n = Number.parseInt(gateway, 16);
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
  }
  return undefined;
}

/** The IPv4 default gateway of `netstat -rn -f inet` (macOS), or undefined. */
export function parseNetstat(text: string): string | undefined {
  return /^default\s+(\d{1,3}(?:\.\d{1,3}){3})\s/m.exec(text)?.[1];
}

/** The machine's IPv4 default gateway. */
export async function defaultGateway(): Promise<string | undefined> {
  if (process.platform === 'linux') return parseProcRoute(await promisify(readFile)('/proc/net/route', 'utf8'));
  if (process.platform === 'darwin') {
    // Loaded here: node:child_process costs every command about 7 ms to load.
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('netstat', ['-rn', '-f', 'inet'], { timeout: 2000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    return parseNetstat(out);
  }
  return undefined;
}
