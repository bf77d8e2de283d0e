/** An IP echo source: answers GET / with the address it is told to, as text. */
import { send, startFake, type FakeOptions, type FakeServer } from './server.js';

export interface EchoServer extends FakeServer {
  /** What the source answers; change it to simulate a new external address. */
  answer: string;
  status: number;
}

export async function startEcho(answer: string, host = '127.0.0.1', options: FakeOptions = {}): Promise<EchoServer> {
  const echo = { answer, status: 200 } as EchoServer;
  const fake = await startFake((_req, res) => send(res, echo.status, `${echo.answer}\n`), host, options);
  return Object.assign(echo, {
    url: fake.url,
    requests: fake.requests,
    misbehaveNext: fake.misbehaveNext,
    close: fake.close,
    traffic: fake.traffic,
    maxInFlight: fake.maxInFlight,
  });
}
