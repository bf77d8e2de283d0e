/**
 * The links' events as notifications: a link down or up again, and hosts
 * moved to another link (failover) or back (failback), one message per
 * incident with every host that moved.
 */
import type { CycleEvent } from '../cycle/events.js';
import type { Notification } from './types.js';

type Fields = Omit<Notification, 'at' | 'recovery'> & { recovery?: boolean };

const since = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function wanNotification(event: CycleEvent): Fields | undefined {
  switch (event.type) {
    case 'wan-down':
      return {
        event: 'wan-down',
        severity: 'warning',
        subject: `wan ${event.wan}`,
        state: 'down',
        title: `Link ${event.wan} is down`,
        message: `${event.error}. Hosts that follow ${event.wan} move to the next healthy link.`,
      };
    case 'wan-up': {
      const addresses = Object.values(event.addresses).join(', ');
      return {
        event: 'wan-up',
        severity: 'warning',
        subject: `wan ${event.wan}`,
        state: 'up',
        recovery: true,
        title: `Link ${event.wan} is up again`,
        message: `${event.wan} is healthy again${addresses ? ` (${addresses})` : ''}, after being down since ${since(event.downSince)}.`,
      };
    }
    case 'failover':
    case 'failback': {
      const names = event.hosts.map((h) => h.host).join(', ');
      const back = event.type === 'failback';
      return {
        event: event.type,
        severity: back ? 'info' : 'warning',
        subject: `follow ${names}`,
        state: event.to,
        recovery: back,
        title: back ? `${names} back on ${event.to}` : `${names} moved to ${event.to}`,
        message: back
          ? `${event.to} has been healthy long enough: ${names} ${event.hosts.length === 1 ? 'points' : 'point'} at it again instead of ${event.from}.`
          : `${event.from} is not healthy: ${names} now ${event.hosts.length === 1 ? 'points' : 'point'} at ${event.to}.`,
      };
    }
    default:
      return undefined;
  }
}
