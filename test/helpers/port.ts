/** A TCP port on 127.0.0.1 that was free a moment ago, for programs that must be told a port up front. */
import { createServer } from 'node:http';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
