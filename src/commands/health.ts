/** `ddnsd health`: asks the running daemon's /healthz; exit 0 healthy, 1 not. */
import { readFileSync } from 'node:fs';
import type { CliIo, Command } from './types.js';
import { checkHealth, quickHealth } from '../health.js';

const health: Command = async (line, io) => {
  // DDNSD_LISTEN replaces server.listen, so with it set (as in the container)
  // the config need not be read for a healthy answer: the check starts in a
  // fraction of the time. Any other answer (unhealthy, none, or a server
  // speaking TLS) is asked again the way the config says, for its reasons.
  if (io.env.DDNSD_LISTEN && (await quickHealth(io.env.DDNSD_LISTEN, io.stdout))) return 0;
  // Only the server section (loaded only now: it is most of the start-up): the
  // providers' secrets may not be in this environment (systemd keeps them in
  // an environment file the service reads), and health needs none of them.
  const [{ loadServerConfig }, { ConfigError }, { createRedactor }] = await Promise.all([import('../config/load.js'), import('../base/errors.js'), import('../base/log.js')]);
  let loaded;
  try {
    loaded = loadServerConfig({ path: line.values.config, env: io.env, cwd: io.cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`ddnsd: ${error.message}\n`);
    return 2;
  }
  const redactor = createRedactor(loaded.secrets);
  const { tls, token, listen } = loaded.server;
  const probe = await checkHealth(listen, { token, ca: tls ? readFileSync(tls.certFile, 'utf8') : undefined });
  return report(probe, io, (text) => redactor.redact(text));
};

function report(probe: { ok: boolean; reason: string }, io: CliIo, redact: (text: string) => string): number {
  (probe.ok ? io.stdout : io.stderr)(`ddnsd: ${redact(probe.reason)}\n`);
  return probe.ok ? 0 : 1;
}

export default health;
