/** The config as `ddnsd check` prints it. */
import { describeSource } from '../detect/sources.js';
import { REDACTED } from '../log.js';
import { formatDuration } from './duration.js';
import type { Config } from './load.js';

/** The config as ddnsd understood it, with every secret redacted: `ddnsd check` prints it. */
export function effectiveConfig(config: Config): Record<string, unknown> {
  const listen = config.server.listen;
  return {
    file: config.file ?? '(none: built-in default)',
    interval: formatDuration(config.intervalMs),
    refresh: formatDuration(config.refreshMs),
    state: config.statePath,
    detect: {
      ipv4: config.detect.sources.ipv4.map(describeSource),
      ipv6: config.detect.sources.ipv6.map(describeSource),
      agree: config.detect.agree,
      timeout: formatDuration(config.detect.timeoutMs),
    },
    server: {
      listen: listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`,
      token: config.server.token ? REDACTED : '(none: POST /api/update is disabled)',
      nic_update: config.server.nicUpdate
        ? { username: config.server.nicUpdate.username, password: REDACTED, max_age: formatDuration(config.server.nicUpdate.maxAgeMs) }
        : '(none: routers cannot push their address)',
    },
    providers: config.providers.map((p) => {
      const settings: Record<string, unknown> = { ...p.settings };
      for (const key of p.definition.secrets) if (key in settings) settings[key] = REDACTED;
      return { ...settings, timeout: formatDuration(p.settings.timeout), families: p.families, ...(p.suffixes.length ? { ipv6_hosts: p.suffixes } : {}) };
    }),
  };
}
