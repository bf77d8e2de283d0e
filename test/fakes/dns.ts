/**
 * A DNS server on loopback, UDP and TCP on one port, answering through a
 * handler: a decoded answer, `drop` (never answer), or an answer over UDP
 * marked truncated so the client must ask again over TCP. Counts what it got.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
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

export async function startDnsFake(handler: DnsHandler, host = '127.0.0.1'): Promise<FakeDns> {
  const queries: FakeDns['queries'] = [];
  const udp: UdpSocket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const answer = async (msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const packet = dnsPacket.decode(msg);
    queries.push({ transport, packet });
    const out = await handler(packet, transport);
    if (out === 'drop') return undefined;
    if (out === 'garbage') return Buffer.from([(packet.id ?? 0) >> 8, (packet.id ?? 0) & 0xff, 0x81, 0x80, 0xff, 0xff, 0, 1, 0, 0, 0, 0, 7, 1, 2, 3]);
    return dnsPacket.encode(out);
  };
  udp.on('message', (msg, rinfo) => {
    void answer(msg, 'udp').then((out) => out && udp.send(out, rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve) => udp.bind(0, host, resolve));
  const port = udp.address().port;
  const sockets = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
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
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, resolve);
  });
  return {
    host,
    port,
    queries,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}
