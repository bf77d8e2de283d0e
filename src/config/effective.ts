/** The config as `ddnsd check` prints it. */
import { REDACTED } from '../log.js';
import { formatDuration } from './duration.js';
import type { Config } from './load.js';
import { effectiveServer } from './server.js';

/** The config as ddnsd understood it, with every secret redacted: `ddnsd check` prints it. */
export function effectiveConfig(config: Config): Record<string, unknown> {
  return {
    file: config.file ?? '(none: built-in default)',
    interval: formatDuration(config.intervalMs),
    refresh: formatDuration(config.refreshMs),
    state: config.statePath,
    detect: {
      ipv4: config.detect.sources.ipv4.map((s) => s.url),
      ipv6: config.detect.sources.ipv6.map((s) => s.url),
      agree: config.detect.agree,
      timeout: formatDuration(config.detect.timeoutMs),
    },
    server: effectiveServer(config.server),
    providers: config.providers.map((p) => {
      const settings: Record<string, unknown> = { ...p.settings };
      for (const key of p.definition.secrets) if (key in settings) settings[key] = REDACTED;
      return { ...settings, timeout: formatDuration(p.settings.timeout), families: p.families };
    }),
  };
}
