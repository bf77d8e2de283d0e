/** `ddnsd run`: the daemon (the loop and the status server) until SIGTERM or SIGINT; SIGHUP reads the config file again. */
import { loadProviders } from '../../providers/registry.js';
import type { CliIo, Command } from './types.js';
import { loadConfigFor, type Config } from '../config/load.js';
import type { Logger, Redactor } from '../base/log.js';
import { startDaemon, STOP_GRACE_MS, type ConfigSource } from '../main.js';
import { withConfig } from './setup.js';

const runCommand: Command = (line, io) => withConfig(line, io, ({ config, log, redactor }) => run(config, log, redactor, config.file ? fileSource(config.file, io) : undefined));

export default runCommand;

/** The file the daemon started from, read again the same way (SIGHUP, the settings page). */
export function fileSource(path: string, io: Pick<CliIo, 'env' | 'cwd'>): ConfigSource {
  return {
    path,
    load: (text) => loadConfigFor({ path, env: io.env, cwd: io.cwd, text }, loadProviders),
    async secretKeys() {
      // Every adapter's list, not only the file's: a type changed in the editor keeps its secret masked too.
      return [...new Set((await loadProviders()).flatMap((p) => p.secrets))];
    },
  };
}

async function run(config: Config, log: Logger, redactor: Redactor, source: ConfigSource | undefined): Promise<number> {
  const daemon = await startDaemon(config, { log, redactor, ...(source ? { source } : {}) });
  const onHangUp = (): void => {
    log.info('Received SIGHUP: reading the config file again');
    daemon.reloadFile('SIGHUP').catch((error: Error) => log.error(`SIGHUP: the reload failed: ${error.message}`));
  };
  process.on('SIGHUP', onHangUp);
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
  process.off('SIGHUP', onHangUp);
  log.info('Stopped');
  return 0;
}
