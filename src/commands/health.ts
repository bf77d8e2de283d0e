/** `ddnsd health`: asks the running daemon's /healthz; exit 0 healthy, 1 not. */
import type { Command } from '../cli.js';
import { checkHealth } from '../health.js';
import { withConfig } from './setup.js';

const health: Command = (line, io) =>
  withConfig(line, io, async ({ config, redactor }) => {
    const probe = await checkHealth(config.server.listen);
    (probe.ok ? io.stdout : io.stderr)(`ddnsd: ${redactor.redact(probe.reason)}\n`);
    return probe.ok ? 0 : 1;
  });

export default health;
