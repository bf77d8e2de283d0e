/**
 * Prometheus metrics for GET /metrics. Each app gets its own Registry, so
 * tests and several servers in one process never share counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleReport, HostAction } from '../cycle.js';
import type { Status } from '../status.js';

export interface Metrics {
  registry: Registry;
  /** Counts what one finished cycle did. */
  observeCycle(report: CycleReport): void;
}

/** Cycle actions that mean a request went to the provider, and how it ended. */
const SENT: ReadonlySet<HostAction> = new Set(['updated', 'unchanged', 'failed']);

export function createMetrics(status: () => Status): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

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

  // A host that needs attention is reported by every cycle while it waits;
  // it is counted once, when a provider answer put it there.
  let attention = new Set<string>();
  return {
    registry,
    observeCycle(report) {
      for (const d of report.detections) detections.inc({ family: d.family, result: d.address ? 'success' : 'failure' });
      const now = new Set<string>();
      for (const h of report.hosts) {
        const key = `${h.provider} ${h.host} ${h.family}`;
        if (SENT.has(h.action)) updates.inc({ provider: h.provider, result: h.action });
        if (h.action === 'needs-attention') {
          now.add(key);
          if (!attention.has(key)) updates.inc({ provider: h.provider, result: 'needs-attention' });
        }
      }
      attention = now;
      duration.observe(Math.max(0, report.finishedAt - report.startedAt) / 1000);
    },
  };
}
