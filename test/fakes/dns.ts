/**
 * A DNS server on loopback, UDP and TCP on one port, answering through a
 * handler: a decoded answer, `drop` (never answer), or an answer over UDP
 * marked truncated so the client must ask again over TCP. Counts what it got.
 * Its transport rules, from the DNS standards:
 * - UDP messages are one datagram; TCP messages carry a two-byte length first
 *   (RFC 1035 section 4.2, https://www.rfc-editor.org/rfc/rfc1035#section-4.2).
 * - An answer marked TC (truncated) tells the client to ask again over TCP
 *   (RFC 1035 section 4.1.1; RFC 7766 section 5, https://www.rfc-editor.org/rfc/rfc7766#section-5).
 * - `drop` and `garbage` are faults a test injects, not behaviour of a server (guess: what a broken
 *   network or server looks like to a client).
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';

export type DnsReply = Packet | 'drop' | 'garbage';

export interface FakeDns {
  host: string;
  port: number;
  /** Every query received, with the transport it came over. */
  queries: { transport: 'udp' | 'tcp'; packet: Packet }[];
  close(): Promise<void>;
}

export type DnsHandler = (query: Packet, transport: 'udp' | 'tcp') => DnsReply | Promise<DnsReply>;

/** An answer to `query` with these records (flags: a response, recursion available). */
export function reply(query: Packet, answers: Packet['answers'], extra: Partial<Packet> = {}): Packet {
  return { type: 'response', id: query.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE, questions: query.questions ?? [], answers: answers ?? [], ...extra };
}

/** Something that is not a DNS message, though its id matches the query's. */
export function garbageFor(msg: Buffer): Buffer {
  return Buffer.from([msg[0] ?? 0, msg[1] ?? 0, 0x81, 0x80, 0xff, 0xff, 0, 1, 0, 0, 0, 0, 7, 1, 2, 3]);
}

export async function startDnsFake(handler: DnsHandler, host = '127.0.0.1'): Promise<FakeDns> {
  const queries: FakeDns['queries'] = [];
  const fake = await startRawDnsFake(async (msg, transport) => {
    const packet = dnsPacket.decode(msg);
    queries.push({ transport, packet });
    const out = await handler(packet, transport);
    if (out === 'drop') return undefined;
    if (out === 'garbage') return garbageFor(msg);
    return dnsPacket.encode(out);
  }, host);
  return { ...fake, queries };
}

/** Answers each message (as bytes) with bytes, or not at all: for messages dns-packet cannot decode, such as UPDATE. */
export type RawDnsHandler = (msg: Buffer, transport: 'udp' | 'tcp') => Promise<Buffer | undefined>;

export async function startRawDnsFake(answer: RawDnsHandler, host = '127.0.0.1'): Promise<Omit<FakeDns, 'queries'>> {
  const sockets = new Set<Socket>();
  const { udp, tcp } = await bindPair(
    host,
    (msg, rinfo, udpSocket) => {
      void answer(msg, 'udp').then((out) => out && udpSocket.send(out, rinfo.port, rinfo.address));
    },
    (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2 || buf.length < buf.readUInt16BE(0) + 2) return;
        const msg = buf.subarray(2, buf.readUInt16BE(0) + 2);
        buf = Buffer.alloc(0);
        void answer(msg, 'tcp').then((out) => {
          if (!out) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          socket.write(Buffer.concat([len, out]));
        });
      });
    },
  );
  return {
    host,
    port: udp.address().port,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

/**
 * A UDP socket on a free port and a TCP server on the same port. The UDP port
 * is free for UDP only, so the TCP side may find it taken by another test:
 * then both are closed and another port is tried (at most 20 times).
 */
async function bindPair(
  host: string,
  onMessage: (msg: Buffer, rinfo: RemoteInfo, udp: UdpSocket) => void,
  onConnection: (socket: Socket) => void,
): Promise<{ udp: UdpSocket; tcp: Server }> {
  for (let attempt = 1; ; attempt++) {
    const udp: UdpSocket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', (msg, rinfo) => onMessage(msg, rinfo, udp));
    await new Promise<void>((resolve) => udp.bind(0, host, resolve));
    const tcp: Server = createServer(onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(udp.address().port, host, resolve);
      });
      return { udp, tcp };
    } catch (err) {
      await new Promise<void>((r) => udp.close(() => r()));
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
    }
  }
}
