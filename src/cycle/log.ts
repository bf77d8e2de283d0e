/**
 * The cycle's events as log lines. A problem that repeats cycle after cycle
 * is logged once (then at debug level) until it changes or goes away.
 */
import { humanDuration } from '../base/duration.js';
import { FAMILY_LABEL } from '../base/address.js';
import type { Logger } from '../base/log.js';
import type { Events } from './events.js';

const RECORD = { ipv4: 'A', ipv6: 'AAAA' } as const;

export function logEvents(events: Events, log: Logger): void {
  /** The last problem logged per subject. */
  const said = new Map<string, string>();
  const once = (subject: string, message: string, level: 'warn' | 'error'): void => {
    if (said.get(subject) === message) log.debug(message);
    else log[level](message);
    said.set(subject, message);
  };
  events.on('address-changed', (e) => {
    const label = FAMILY_LABEL[e.family];
    log.info(e.from ? `External ${label} address changed from ${e.from} to ${e.to}` : `External ${label} address is ${e.to}`, { sources: e.sources.join(',') });
  });
  events.on('detection-failed', (e) => once(`detect ${e.family}`, e.error, 'warn'));
  events.on('detected', (e) => {
    if (said.delete(`detect ${e.family}`)) log.info(`${FAMILY_LABEL[e.family]} detection works again`);
  });
  events.on('host-updated', (e) => {
    said.delete(`host ${e.provider} ${e.host} ${e.family}`);
    log.info(`${e.host} ${RECORD[e.family]} ${e.outcome === 'updated' ? 'updated to' : 'confirmed at'} ${e.address}`, { provider: e.provider });
  });
  events.on('host-failed', (e) => {
    once(`host ${e.provider} ${e.host} ${e.family}`, `${e.host} ${RECORD[e.family]}: ${e.message}; trying again in ${humanDuration(e.retryAt - e.at)}`, 'warn');
  });
  events.on('host-needs-attention', (e) => {
    const message = `${e.host} ${RECORD[e.family]}: ${e.message}. ddnsd sends nothing more for it until providers[${e.entry}] in the config changes.`;
    once(`host ${e.provider} ${e.host} ${e.family}`, message, 'error');
  });
  events.on('wan-down', (e) => log.warn(`Link ${e.wan} is down: ${e.error}`));
  events.on('wan-up', (e) => log.info(`Link ${e.wan} is up again${Object.values(e.addresses).length ? ` (${Object.values(e.addresses).join(', ')})` : ''}`));
  events.on('failover', (e) => log.warn(`${e.hosts.map((h) => h.host).join(', ')} moved from link ${e.from} to ${e.to}`));
  events.on('failback', (e) => log.info(`${e.hosts.map((h) => h.host).join(', ')} back on link ${e.to} (from ${e.from})`));
}
