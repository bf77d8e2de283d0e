/**
 * The DNS transport adapters and detection share: one encoded message out,
 * one answer back, over UDP (falling back to TCP when the answer is
 * truncated) or over TCP, with a deadline and a size cap. Encoding and
 * decoding messages is the caller's business; this only moves bytes and
 * turns network trouble into DdnsError kinds.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect, type Socket } from 'node:net';
import { formatDuration } from '../../src/config/duration.js';
import { DdnsError } from '../../src/errors.js';

export interface DnsServer {
  /** An IP address (DNS servers are named by address: looking them up would need DNS). */
  host: string;
  port: number;
}

export interface DnsExchange {
  signal?: AbortSignal;
  /** Send over TCP from the start (large messages, zone transfers). */
  tcp?: boolean;
  /** Overrides the client's deadline for this exchange. */
  timeoutMs?: number;
}

export interface DnsClient {
  /** Sends one DNS message and resolves with the answer whose id matches. */
  exchange(server: DnsServer, message: Uint8Array, options?: DnsExchange): Promise<Buffer>;
}

export interface DnsClientOptions {
  timeoutMs: number;
  /** Largest answer accepted over TCP; UDP answers are at most 64 KiB anyway. */
  maxBytes?: number;
}

/** Messages larger than this go over TCP: the classic UDP limit without EDNS. */
export const UDP_MAX = 512;
const DEFAULT_MAX_BYTES = 64 * 1024;

/** `1.2.3.4:53`, `[2001:db8::1]:5353` for messages. */
export function describeServer(server: DnsServer): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

export function createDnsClient(options: DnsClientOptions): DnsClient {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return {
    async exchange(server, message, exchange = {}) {
      const timeoutMs = exchange.timeoutMs ?? options.timeoutMs;
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = exchange.signal ? AbortSignal.any([exchange.signal, deadline]) : deadline;
      const where = `DNS server ${describeServer(server)}`;
      try {
        if (!exchange.tcp && message.length <= UDP_MAX) {
          const answer = await overUdp(server, message, signal);
          // TC: the answer did not fit in a datagram; ask again over TCP.
          if (((answer[2] ?? 0) & 0x02) === 0) return answer;
        }
        return await overTcp(server, message, signal, maxBytes);
      } catch (error) {
        if (error instanceof DdnsError) throw error;
        if (exchange.signal?.aborted) throw exchange.signal.reason ?? error;
        if (deadline.aborted) throw new DdnsError('transient', `${where}: no answer within ${formatDuration(timeoutMs)}`, { cause: error });
        const code = (error as { code?: string }).code;
        throw new DdnsError('transient', `${where}: ${(error as Error).message}${code ? ` (${code})` : ''}`, { cause: error });
      }
    },
  };
}

const idOf = (buf: Uint8Array): number => ((buf[0] ?? 0) << 8) | (buf[1] ?? 0);

function overUdp(server: DnsServer, message: Uint8Array, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (error: unknown, answer?: Buffer): void => {
      signal.removeEventListener('abort', onAbort);
      socket.close();
      if (answer) resolve(answer);
      else reject(error);
    };
    const onAbort = (): void => done(signal.reason);
    if (signal.aborted) return done(signal.reason);
    signal.addEventListener('abort', onAbort);
    socket.on('error', (error) => done(error));
    // Datagrams with another id (late answers, spoofing attempts) are ignored.
    socket.on('message', (answer) => {
      if (answer.length >= 12 && idOf(answer) === idOf(message)) done(undefined, answer);
    });
    socket.send(message, server.port, server.host, (error) => {
      if (error) done(error);
    });
  });
}

function overTcp(server: DnsServer, message: Uint8Array, signal: AbortSignal, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const done = (error: unknown, answer?: Buffer): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(error);
    };
    const onAbort = (): void => done(signal.reason);
    if (signal.aborted) return done(signal.reason);
    signal.addEventListener('abort', onAbort);
    socket.on('error', (error) => done(error));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (size > maxBytes) return done(new DdnsError('bad-response', `DNS server ${describeServer(server)}: answer is larger than ${maxBytes} bytes`));
      if (received.length >= size + 2) done(undefined, received.subarray(2, size + 2));
    });
    socket.on('end', () => done(new Error('the connection closed before the answer was complete')));
  });
}
