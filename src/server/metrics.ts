/**
 * Prometheus metrics for GET /metrics, fed by the cycle's events. Each app
 * gets its own Registry, so tests and several servers in one process never
 * share counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Events } from '../cycle/index.js';
import type { Status } from '../status.js';
import { hostStatusGauge } from './host-metrics.js';
import { wanGauges } from './wan-metrics.js';

export interface Metrics {
  registry: Registry;
}

function statusGauges(registry: Registry, status: () => Status): void {
  new Gauge({
    name: 'ddnsd_last_update_timestamp_seconds',
    help: 'When the provider last confirmed the address of a host and family (Unix time).',
    labelNames: ['provider', 'host', 'family'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const h of status().hosts) {
        if (h.lastUpdate) this.set({ provider: h.provider, host: h.host, family: h.family }, Date.parse(h.lastUpdate) / 1000);
      }
    },
  });
  new Gauge({
    name: 'ddnsd_address_info',
    help: 'The external address currently detected, as a label (value 1).',
    labelNames: ['family', 'address'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const s = status();
      if (s.ipv4) this.set({ family: 'ipv4', address: s.ipv4 }, 1);
      if (s.ipv6) this.set({ family: 'ipv6', address: s.ipv6 }, 1);
    },
  });
}

/** 1 while a check passes (or only warns), 0 while it fails; skipped checks are left out. */
function reachGauges(registry: Registry, status: () => Status): void {
  new Gauge({
    name: 'ddnsd_reachability',
    help: 'Reachability check results: 1 passing, 0 failing, by check (dns, port, forward) and subject.',
    labelNames: ['check', 'subject', 'required'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of status().reach?.results ?? []) {
        if (r.verdict !== 'skip') this.set({ check: r.check, subject: r.subject, required: String(r.required) }, r.verdict === 'fail' ? 0 : 1);
      }
    },
  });
  new Gauge({
    name: 'ddnsd_notify_failures',
    help: 'Notifications a target could not deliver after retries, since ddnsd started.',
    labelNames: ['target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const t of status().notify) this.set({ target: t.name }, t.failed);
    },
  });
}

export function createMetrics(status: () => Status, events: Events): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  statusGauges(registry, status);
  reachGauges(registry, status);
  hostStatusGauge(registry, status);
  wanGauges(registry, status);

  const detections = new Counter({
    name: 'ddnsd_detections_total',
    help: 'External address detections, by family and result (success or failure).',
    labelNames: ['family', 'result'] as const,
    registers: [registry],
  });
  const updates = new Counter({
    name: 'ddnsd_updates_total',
    help: 'Update requests per host and family, by provider and result (updated, unchanged, failed, needs-attention).',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ddnsd_cycle_duration_seconds',
    help: 'How long one cycle (detect, compare, update) took.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });

  events.on('detected', (e) => detections.inc({ family: e.family, result: 'success' }));
  events.on('detection-failed', (e) => detections.inc({ family: e.family, result: 'failure' }));
  events.on('host-updated', (e) => updates.inc({ provider: e.provider, result: e.outcome }));
  events.on('host-failed', (e) => updates.inc({ provider: e.provider, result: 'failed' }));
  // Told once, when a provider's answer puts the host there; later cycles skip it without an event.
  events.on('host-needs-attention', (e) => updates.inc({ provider: e.provider, result: 'needs-attention' }));
  events.on('cycle-finished', (e) => duration.observe(Math.max(0, e.report.finishedAt - e.report.startedAt) / 1000));
  return { registry };
}
