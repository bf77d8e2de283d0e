/** `ddnsd health`: asks the running daemon's /healthz; exit 0 healthy, 1 not. */
import type { CliIo, Command } from '../cli.js';
import { parseListen } from '../config/listen.js';
import { checkHealth } from '../health.js';

const health: Command = async (line, io) => {
  // DDNSD_LISTEN replaces server.listen, so with it set (as in the container)
  // the config need not be read: the check starts in a fraction of the time.
  const listen = io.env.DDNSD_LISTEN ? parseListen(io.env.DDNSD_LISTEN) : undefined;
  if (listen !== undefined && typeof listen !== 'string') return report(await checkHealth(listen), io, (text) => text);
  // Otherwise the config as every command reads it (loaded only now: it is most of the start-up).
  const { withConfig } = await import('./setup.js');
  return withConfig(line, io, async ({ config, redactor }) => report(await checkHealth(config.server.listen), io, (text) => redactor.redact(text)));
};

function report(probe: { ok: boolean; reason: string }, io: CliIo, redact: (text: string) => string): number {
  (probe.ok ? io.stdout : io.stderr)(`ddnsd: ${redact(probe.reason)}\n`);
  return probe.ok ? 0 : 1;
}

export default health;
