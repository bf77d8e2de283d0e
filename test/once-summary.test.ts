/** What `ddnsd once` prints: each family once, and columns that line up. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../src/commands/once.js';
import type { Config } from '../src/config/load.js';
import type { CycleReport } from '../src/cycle/index.js';

const config = { providers: [{}, {}] } as unknown as Config;

describe('the once summary', () => {
  it('names the family once in a detection failure', () => {
    const report: CycleReport = {
      id: 1,
      startedAt: 0,
      finishedAt: 1200,
      ok: false,
      hosts: [],
      detections: [
        { family: 'ipv4', error: 'IPv4 not detected: 1 of 1 sources must agree on one address, but ipify timed out', agreeing: [], answers: [] },
        { family: 'ipv6', error: 'IPv6 sources disagree (2 of 2 must agree): a said 2a02:8010:1::1; b said 2a02:8010:1::2', agreeing: [], answers: [] },
      ],
    } as unknown as CycleReport;
    const lines = summarize(report, config, false).split('\n');
    expect(lines[0]).toBe('IPv4  not detected: 1 of 1 sources must agree on one address, but ipify timed out');
    expect(lines[1]).toBe('IPv6  not detected: sources disagree (2 of 2 must agree): a said 2a02:8010:1::1; b said 2a02:8010:1::2');
  });

  it('pads the host and provider columns, so the outcomes start in one column', () => {
    const report = {
      id: 1,
      startedAt: 0,
      finishedAt: 10,
      ok: true,
      detections: [{ family: 'ipv4', address: '81.2.69.160', agreeing: ['ipify'], answers: [] }],
      hosts: [
        { provider: 'duckdns', host: 'office.duckdns.org', family: 'ipv4', action: 'updated', address: '81.2.69.160' },
        { provider: 'cloudflare (example.com)', host: 'nas.example.com', family: 'ipv4', action: 'current', address: '81.2.69.160' },
      ],
    } as unknown as CycleReport;
    const rows = summarize(report, config, false).split('\n').slice(1, 3);
    const at = rows.map((r) => r.search(/updated|up to date/));
    expect(at[0]).toBeGreaterThan(0);
    expect(at[1]).toBe(at[0]);
    expect(rows[0]).toMatch(/^office\.duckdns\.org {2}A {5}duckdns {19}updated {2}81\.2\.69\.160$/);
  });
});
