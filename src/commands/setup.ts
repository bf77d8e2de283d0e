/**
 * What run, once, check and health share: the logger, the redactor and the
 * config, loaded and validated, with the exit status 2 for an invalid config.
 */
import { loadProviders } from '../../providers/registry.js';
import type { CliIo, CommandLine } from './types.js';
import { loadConfigFor, type Config } from '../config/load.js';
import { ConfigError } from '../base/errors.js';
import { createLogger, createRedactor, parseLevel, type Logger, type Redactor } from '../base/log.js';

export interface Setup {
  config: Config;
  log: Logger;
  redactor: Redactor;
}

/**
 * Loads the config and runs `body` with it. An invalid config exits 2 with
 * its message; an error thrown by `body` is logged and exits 1.
 */
export async function withConfig(line: CommandLine, io: CliIo, body: (setup: Setup) => Promise<number>): Promise<number> {
  const redactor = createRedactor();
  const format = io.env.LOG_FORMAT === 'json' ? 'json' : io.env.LOG_FORMAT === 'pretty' || io.stderrIsTTY ? 'pretty' : 'json';
  // `once` prints its own summary; its log shows only warnings and errors unless asked for more.
  const level = io.env.LOG_LEVEL ? parseLevel(io.env.LOG_LEVEL) : line.command === 'once' ? 'warn' : 'info';
  const log = createLogger({ format, level, redactor, write: io.stderr });

  let config: Config;
  try {
    // Only the adapters of the provider types the config names are loaded.
    config = await loadConfigFor({ path: line.values.config, env: io.env, cwd: io.cwd }, loadProviders);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`ddnsd: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const secret of config.secrets) redactor.add(secret);
  try {
    return await body({ config, log, redactor });
  } catch (error) {
    log.error((error as Error).message);
    return 1;
  }
}
