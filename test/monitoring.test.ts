/**
 * deploy/prometheus and deploy/grafana: the alert rules pass promtool's own
 * check and unit tests, and every metric the rules and the dashboard use is
 * one ddnsd exports, read from the /metrics of a running daemon.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { loadConfig } from './helpers/config.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { startDaemon, type Daemon } from '../src/main.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const RULES = join(ROOT, 'deploy/prometheus/ddnsd-alerts.yaml');
const DASHBOARD = join(ROOT, 'deploy/grafana/ddnsd.json');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

/** The metric names in PromQL expressions: ddnsd's own, and `up` from Prometheus. */
function metricNames(exprs: string[]): Set<string> {
  const names = new Set<string>();
  // ddnsd's names with or without a selector; `up` only with one (the word appears in label values and prose).
  for (const e of exprs) for (const m of e.matchAll(/\b(ddnsd_[a-z0-9_]+)\b|\b(up)\s*\{/g)) names.add((m[1] ?? m[2]) as string);
  return names;
}

function ruleExprs(): string[] {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  return doc.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

function dashboardExprs(): string[] {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[]; templating: { list: { definition?: string }[] } };
  return [...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dash.templating.list.flatMap((v) => (v.definition ? [v.definition] : []))];
}

describe('Prometheus rules and the Grafana dashboard', () => {
  // CI installs Debian's prometheus package for promtool (.ci/run); elsewhere the test says what is missing.
  it.runIf(PROMTOOL || process.env.CI)('promtool checks the rules and passes their unit tests', () => {
    if (!PROMTOOL) throw new Error('promtool is not installed: apt-get install prometheus (never start its service)');
    expect(execFileSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' })).toContain('SUCCESS: 6 rules found');
    expect(execFileSync(PROMTOOL, ['test', 'rules', 'ddnsd-alerts.test.yaml'], { cwd: join(ROOT, 'deploy/prometheus'), encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('every rule has a summary, a description and a runbook that says what to do', () => {
    const doc = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; annotations: Record<string, string> }[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(['DdnsdDown', 'DdnsdHostFailing', 'DdnsdHostNeedsAttention', 'DdnsdAddressNotDetected', 'DdnsdReachabilityFailing', 'DdnsdLinkDown']);
    for (const r of rules) {
      expect(Object.keys(r.annotations).sort(), r.alert).toEqual(['description', 'runbook', 'summary']);
      expect(r.annotations.runbook, r.alert).toMatch(/ddnsd (doctor|once|health|check)|status page/);
    }
  });

  describe('against a running daemon', () => {
    let echo: EchoServer;
    let duck: FakeDuckDns;
    let daemon: Daemon | undefined;
    afterEach(async () => {
      await daemon?.stop();
      await Promise.all([echo.close(), duck.close()]);
    });

    it('uses only metrics ddnsd exports', async () => {
      echo = await startEcho('81.2.69.160');
      duck = await startDuckDns({ token: 'duck-token-metrics-7a1e', domains: ['office'] });
      const dir = tempDir();
      const config = `interval: 1h\nstate: ./state.json\ndetect:\n  ipv4: [${echo.url}/]\nserver:\n  listen: 127.0.0.1:0\nproviders:\n  - type: duckdns\n    token: duck-token-metrics-7a1e\n    endpoint: ${duck.url}\n    hosts: [office]\n`;
      writeFileSync(join(dir, 'config.yaml'), config);
      const redactor = createRedactor();
      daemon = await startDaemon(loadConfig({ providers: PROVIDERS, path: join(dir, 'config.yaml'), env: {}, cwd: dir }), {
        log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }),
        redactor,
        lan: () => [],
      });
      await daemon.loop.runNow().done;
      const text = await (await fetch(`${daemon.url}/metrics`)).text();
      const exported = new Set(['up']);
      for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        const [, name = '', type] = m;
        exported.add(name);
        if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${name}${s}`);
      }
      const used = metricNames([...ruleExprs(), ...dashboardExprs()]);
      expect([...used].filter((n) => !exported.has(n))).toEqual([]);
      expect([...used].sort()).toEqual([
        'ddnsd_address_info',
        'ddnsd_cycle_duration_seconds_bucket',
        'ddnsd_detections_total',
        'ddnsd_host_status',
        'ddnsd_notify_failures',
        'ddnsd_reachability',
        'ddnsd_updates_total',
        'ddnsd_wan_up',
        'up',
      ]);
      expect(text).toMatch(/^ddnsd_host_status\{provider="duckdns",host="office.duckdns.org",family="ipv4",status="ok"\} 1$/m);
      expect(text).toMatch(/^ddnsd_host_status\{provider="duckdns",host="office.duckdns.org",family="ipv4",status="failing"\} 0$/m);
    });
  });

  it('the dashboard has one row per site and the panels it promises', () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { type: string; title: string; repeat?: string; targets?: { expr: string }[] }[] };
    const [row, ...panels] = dash.panels;
    expect(row).toMatchObject({ type: 'row', repeat: 'site' });
    expect(panels.map((p) => p.title)).toEqual([
      'ddnsd up',
      'External address',
      'Hosts by state',
      'Reachability',
      'Update latency (one cycle: detect, compare, update)',
      'Provider errors',
    ]);
    for (const p of panels) for (const t of p.targets ?? []) expect(t.expr, p.title).toContain('site="$site"');
  });
});
