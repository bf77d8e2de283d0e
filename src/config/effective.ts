/** The config as `ddnsd check` prints it. */
import { describeSource } from '../detect/sources.js';
import { REDACTED } from '../base/log.js';
import { formatDuration } from '../base/duration.js';
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
      ipv4: config.detect.sources.ipv4.map(describeSource),
      ipv6: config.detect.sources.ipv6.map(describeSource),
      agree: config.detect.agree,
      timeout: formatDuration(config.detect.timeoutMs),
    },
    ...(config.wans.length
      ? {
          wans: Object.fromEntries(
            config.wans.map((w) => [
              w.name,
              {
                ipv4: w.sources.ipv4.map(describeSource),
                ipv6: w.sources.ipv6.map(describeSource),
                agree: w.agree,
                ...(w.bind ? { bind: w.bind } : {}),
                ...(w.probe ? { probe: w.probe.kind === 'tcp' ? `tcp://${w.probe.host}:${w.probe.port}` : w.probe.url } : {}),
              },
            ]),
          ),
        }
      : {}),
    server: effectiveServer(config.server),
    ...(config.checks ? { checks: effectiveChecks(config) } : {}),
    ...(config.notify.length ? { notify: config.notify.map((t) => redactTarget(t)) } : {}),
    providers: config.providers.map((p) => {
      const settings: Record<string, unknown> = { ...p.settings };
      for (const key of p.definition.secrets) if (key in settings) settings[key] = REDACTED;
      const wan = p.wan ? { wan: p.wan.links, wan_mode: p.wan.mode, failback: p.wan.failback } : {};
      return { ...settings, timeout: formatDuration(p.settings.timeout), families: p.families, ...(p.suffixes.length ? { ipv6_hosts: p.suffixes } : {}), ...wan };
    }),
  };
}

const SECRET_KEYS = new Set(['url', 'fail_url', 'token', 'secret', 'password']);

/** A notification target with its URLs, tokens and passwords redacted (URLs may hold tokens). */
function redactTarget(target: Config['notify'][number]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(target).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== undefined ? REDACTED : v]));
}

function effectiveChecks(config: Config): Record<string, unknown> {
  const checks = config.checks as NonNullable<Config['checks']>;
  const server = (s: { host: string; port: number }): string => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);
  const dns = checks.dns && {
    ...checks.dns,
    resolvers: checks.dns.resolvers.map(server),
    authoritative: Array.isArray(checks.dns.authoritative) ? checks.dns.authoritative.map(server) : checks.dns.authoritative,
  };
  return {
    ...checks,
    interval: formatDuration(checks.interval),
    timeout: formatDuration(checks.timeout),
    dns: dns ?? false,
    port: checks.port ?? false,
    forward: checks.forward ?? false,
  };
}
