/** The config loaded against every adapter at once, as the tests want it (ddnsd itself loads only the adapters a file names: loadConfigFor). */
import { buildConfig, readConfig, type Config, type LoadOptions } from '../../src/config/load.js';

/** Loads the config, or throws ConfigError listing every problem. */
export function loadConfig(options: LoadOptions): Config {
  return buildConfig(readConfig(options), options.providers);
}
