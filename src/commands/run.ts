/** `ddnsd run`: the daemon (the loop and the status server) until SIGTERM or SIGINT. */
import type { Command } from './types.js';
import type { Config } from '../config/load.js';
import type { Logger, Redactor } from '../base/log.js';
import { startDaemon, STOP_GRACE_MS } from '../main.js';
import { withConfig } from './setup.js';

const runCommand: Command = (line, io) => withConfig(line, io, ({ config, log, redactor }) => run(config, log, redactor));

export default runCommand;

async function run(config: Config, log: Logger, redactor: Redactor): Promise<number> {
  const daemon = await startDaemon(config, { log, redactor });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info(`Received ${signal}: finishing in-flight work and stopping`);
      // Whatever happens, do not outlive the service manager's patience.
      setTimeout(() => {
        log.error('Stopping took too long; exiting now');
        process.exit(1);
      }, STOP_GRACE_MS + 1500).unref();
      daemon.stop().then(resolve, (error: Error) => {
        log.error(`Error while stopping: ${error.message}`);
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  log.info('Stopped');
  return 0;
}

