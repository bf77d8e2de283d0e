/**
 * A NAT-PMP gateway on loopback (RFC 6886): answers the external-address
 * request (version 0, opcode 0) with opcode 128, a result code, the seconds
 * since it started and the address. Counts requests.
 */
import { createSocket } from 'node:dgram';

export interface NatpmpFake {
  host: string;
  port: number;
  requests: number;
  /** What it answers: an IPv4 address, a result code (3: no external address yet), or silence. */
  answer: string | { result: number } | 'drop';
  close(): Promise<void>;
}

export async function startNatpmp(answer: NatpmpFake['answer']): Promise<NatpmpFake> {
  const socket = createSocket('udp4');
  const fake = { host: '127.0.0.1', port: 0, requests: 0, answer } as NatpmpFake;
  socket.on('message', (msg, from) => {
    fake.requests += 1;
    if (msg.length !== 2 || msg[0] !== 0 || msg[1] !== 0 || fake.answer === 'drop') return;
    const out = Buffer.alloc(12);
    out[1] = 128;
    out.writeUInt16BE(typeof fake.answer === 'string' ? 0 : fake.answer.result, 2);
    out.writeUInt32BE(1234, 4);
    if (typeof fake.answer === 'string') fake.answer.split('.').forEach((n, i) => (out[8 + i] = Number(n)));
    socket.send(out, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  fake.port = socket.address().port;
  fake.close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return fake;
}
