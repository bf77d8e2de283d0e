/**
 * The cycle's events as notifications: what happened in words, how bad it
 * is, and the subject and state that repeats are collapsed on.
 */
import { FAMILY_LABEL } from '../base/address.js';
import type { CycleEvent } from '../cycle/events.js';
import { isFailing } from '../reach/result.js';
import type { Notification } from './types.js';
import { wanNotification } from './wan-message.js';

export type { Notification } from './types.js';

const RECORD = { ipv4: 'A', ipv6: 'AAAA' } as const;

type Fields = Omit<Notification, 'at' | 'recovery'> & { recovery?: boolean };

function hostNotification(event: CycleEvent): Fields | undefined {
  if (!('host' in event)) return undefined;
  const subject = `host ${event.provider} ${event.host} ${event.family}`;
  const name = `${event.host} ${RECORD[event.family]}`;
  switch (event.type) {
    case 'host-updated':
      if (event.outcome !== 'updated') return undefined;
      return {
        event: 'host-updated',
        severity: 'info',
        subject,
        state: `updated ${event.address}`,
        title: `${name} updated`,
        message: `${name} at ${event.provider} now points at ${event.address}.`,
      };
    case 'host-failed':
      return { event: 'host-failed', severity: 'warning', subject, state: 'failing', title: `${name} cannot be updated`, message: `${event.message}. ddnsd keeps trying.` };
    case 'host-needs-attention':
      return {
        event: 'host-needs-attention',
        severity: 'critical',
        subject,
        state: 'attention',
        title: `${name} needs attention`,
        message: `${event.message}. ddnsd sends nothing more for it until providers[${event.entry}] in the config is fixed.`,
      };
    case 'host-recovered':
      return {
        event: 'host-recovered',
        severity: 'warning',
        subject,
        state: 'ok',
        recovery: true,
        title: `${name} works again`,
        message: `${name} at ${event.provider} points at ${event.address} again.`,
      };
  }
}

function otherNotification(event: CycleEvent): Fields | undefined {
  switch (event.type) {
    case 'address-changed': {
      const label = FAMILY_LABEL[event.family];
      const message = event.from ? `The external ${label} address changed from ${event.from} to ${event.to}.` : `The external ${label} address is ${event.to}.`;
      return { event: 'address-changed', severity: 'info', subject: `address ${event.family}`, state: event.to, title: `External ${label} address changed`, message };
    }
    case 'lan-address-changed': {
      const gone = event.removed.map((a) => a.address).join(', ');
      const now = event.added.map((a) => a.address).join(', ');
      return {
        event: 'lan-address-changed',
        severity: 'warning',
        subject: 'lan',
        state: now,
        title: "This machine's LAN address changed",
        message: `${gone} ${event.removed.length === 1 ? 'is' : 'are'} gone${now ? `, now ${now}` : ''}. Port forwards and clients set up with the old address no longer reach this machine; give it a fixed address (a DHCP reservation in the router).`,
      };
    }
    case 'reachability-changed': {
      const lost = isFailing(event.verdict);
      const severity = event.required ? 'critical' : 'warning';
      const subject = `reach ${event.check} ${event.subject}`;
      if (lost) {
        return {
          event: 'reachability-lost',
          severity,
          subject,
          state: 'fail',
          title: `Not reachable: ${event.subject} (${event.check})`,
          message: `${event.summary}.${event.fix ? ` ${event.fix}` : ''}`,
        };
      }
      return {
        event: 'reachability-restored',
        severity,
        subject,
        state: 'ok',
        recovery: true,
        title: `Reachable again: ${event.subject} (${event.check})`,
        message: `${event.summary}.`,
      };
    }
    case 'started':
      return { event: 'started', severity: 'info', subject: 'ddnsd', state: 'started', title: 'ddnsd started', message: `ddnsd ${event.version} started.` };
    case 'stopped':
      return { event: 'stopped', severity: 'info', subject: 'ddnsd', state: 'stopped', title: 'ddnsd stopped', message: 'ddnsd stopped.' };
    default:
      return undefined;
  }
}

/** The notification an event makes, if any (unchanged confirmations, detections and cycle ends make none). */
export function toNotification(event: CycleEvent): Notification | undefined {
  const fields = hostNotification(event) ?? wanNotification(event) ?? otherNotification(event);
  return fields ? { recovery: false, ...fields, at: event.at } : undefined;
}
