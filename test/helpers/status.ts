/** A status snapshot as /api/status serves it, for server tests that need no running cycle. */
import type { Status } from '../../src/status.js';

export const NOW = Date.parse('2026-11-29T08:10:00Z');

export function sampleStatus(): Status {
  return {
    version: '0.1.0',
    ipv4: '81.2.69.160',
    ipv6: '2a02:8010:1::1',
    lastCheck: '2026-11-29T08:08:00.000Z',
    nextCheck: '2026-11-29T08:13:00.000Z',
    detection: { ipv4: { ok: true, error: null, sources: [] }, ipv6: { ok: true, error: null, sources: [] } },
    stateError: null,
    hosts: [
      {
        provider: 'duckdns',
        host: 'myoffice.duckdns.org',
        family: 'ipv4',
        address: '81.2.69.160',
        status: 'ok',
        lastUpdate: '2026-11-29T08:00:00.000Z',
        lastError: null,
        nextAttempt: null,
      },
      {
        provider: 'duckdns',
        host: 'portal.duckdns.org',
        family: 'ipv6',
        address: null,
        status: 'failing',
        lastError: 'DuckDNS: HTTP 503 <b>overloaded</b>',
        lastUpdate: null,
        nextAttempt: '2026-11-29T08:12:00.000Z',
      },
      {
        provider: 'duckdns',
        host: 'lab.duckdns.org',
        family: 'ipv4',
        address: null,
        status: 'needs-attention',
        lastError: 'DuckDNS answered KO: the token is wrong',
        lastUpdate: null,
        nextAttempt: null,
      },
    ],
    lan: {
      addresses: [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.37' }],
      checkedAt: '2026-11-29T08:08:00.000Z',
      change: {
        at: '2026-11-29T07:10:00.000Z',
        removed: [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.20' }],
        added: [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.37' }],
      },
    },
    history: [
      { at: '2026-11-29T07:00:00.000Z', family: 'ipv4', from: '81.2.69.161', to: '81.2.69.160' },
      { at: '2026-11-28T07:00:00.000Z', family: 'ipv4', from: null, to: '81.2.69.161' },
    ],
    reach: null,
    notify: [],
  };
}
