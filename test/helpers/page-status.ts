/**
 * A status as an office with reachability checks sees it: four hosts (one
 * failing with a long provider error), the checks' rows with their evidence,
 * a LAN change and some history. For the page's layout tests and screenshot.
 */
import type { Status } from '../../src/status.js';
import { NOW, sampleStatus } from './status.js';

export { NOW };

const RESOLVERS = ['1.1.1.1', '8.8.8.8', '9.9.9.9', '208.67.222.222'];

/** The status with every time moved so that `NOW` becomes `now` (the browser renders "… ago" against its own clock). */
export function officeStatus(now = NOW): Status {
  const status = office();
  const shift = now - NOW;
  return JSON.parse(JSON.stringify(status), (_key, value: unknown) =>
    typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) ? new Date(Date.parse(value) + shift).toISOString() : value,
  ) as Status;
}

function office(): Status {
  const base = sampleStatus();
  const longError =
    'Cloudflare: HTTP 400 {"success":false,"errors":[{"code":9109,"message":"Invalid access token"}],"request":"https://api.cloudflare.com/client/v4/zones/0123456789abcdef0123456789abcdef/dns_records/fedcba9876543210fedcba9876543210?type=A&name=vpn.office.example.com&content=81.2.69.160&proxied=false&ttl=300"}';
  const dns = (host: string, family: string, ok: boolean) => ({
    check: 'dns' as const,
    subject: `${host} ${family === 'ipv4' ? 'A' : 'AAAA'}`,
    verdict: ok ? ('pass' as const) : ('fail' as const),
    summary: ok ? `${host} resolves to the current address at ${RESOLVERS.length} public resolvers` : `${host} does not resolve to 81.2.69.160 at ${RESOLVERS.join(', ')}`,
    fix: ok ? null : "Look at the record in the provider's web panel and run `ddnsd once`; if the provider says it is set, wait for its time to live to pass.",
    details: RESOLVERS.map((r) => `${r}: ${ok ? '81.2.69.160' : '81.2.69.161'} (TTL 300 s)`),
    required: !ok,
  });
  return {
    ...base,
    hosts: [
      {
        provider: 'cloudflare',
        host: 'office.example.com',
        family: 'ipv4',
        address: '81.2.69.160',
        status: 'ok',
        lastUpdate: '2026-11-29T07:00:05.000Z',
        lastError: null,
        nextAttempt: null,
      },
      {
        provider: 'cloudflare',
        host: 'office.example.com',
        family: 'ipv6',
        address: '2a02:8010:1::1',
        status: 'ok',
        lastUpdate: '2026-11-29T07:00:05.000Z',
        lastError: null,
        nextAttempt: null,
      },
      {
        provider: 'cloudflare',
        host: 'vpn.office.example.com',
        family: 'ipv4',
        address: '81.2.69.161',
        status: 'failing',
        lastUpdate: '2026-11-28T07:00:03.000Z',
        lastError: longError,
        nextAttempt: '2026-11-29T08:12:00.000Z',
      },
      {
        provider: 'duckdns',
        host: 'myoffice.duckdns.org',
        family: 'ipv4',
        address: '81.2.69.160',
        status: 'ok',
        lastUpdate: '2026-11-29T07:00:04.000Z',
        lastError: null,
        nextAttempt: null,
      },
    ],
    detection: {
      ipv4: {
        ok: true,
        error: null,
        sources: [
          { source: 'ipify', kind: 'http', address: '81.2.69.160' },
          { source: 'opendns', kind: 'dns', address: '81.2.69.160' },
        ],
      },
      ipv6: {
        ok: true,
        error: null,
        sources: [
          { source: 'ipify', kind: 'http', address: '2a02:8010:1::1' },
          { source: 'cloudflare-dns', kind: 'dns', address: '2a02:8010:1::1' },
        ],
      },
    } as Status['detection'],
    reach: {
      checkedAt: '2026-11-29T08:05:00.000Z',
      results: [
        dns('office.example.com', 'ipv4', true),
        dns('office.example.com', 'ipv6', true),
        dns('vpn.office.example.com', 'ipv4', false),
        dns('myoffice.duckdns.org', 'ipv4', true),
        {
          check: 'port',
          subject: 'office.example.com:1234/tcp',
          verdict: 'warn',
          summary: 'no outside prober is configured, and the router does not loop back connections to its own address',
          fix: 'Set `checks.port.probe` to a prober you trust, or ask a remote client to connect to `office.example.com:1234`.',
          details: ['hairpin 81.2.69.160:1234: timed out after 3 s', 'LAN 192.168.1.37:1234: connected'],
          required: false,
        },
        {
          check: 'forward',
          subject: 'TCP 1234',
          verdict: 'pass',
          summary: 'the router forwards TCP port 1234 to 192.168.1.37:1234 (UPnP)',
          fix: null,
          details: [],
          required: false,
        },
      ],
    },
  };
}
