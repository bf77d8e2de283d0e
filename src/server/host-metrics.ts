/**
 * Per host and family, its status as a state set: ddnsd_host_status is 1 for
 * the status the host is in (ok, pending, failing, needs-attention) and 0 for
 * the others, so alert rules can say "failing for 15 minutes" and a
 * dashboard can count hosts by state across sites.
 */
import { Gauge, type Registry } from 'prom-client';
import type { HostStatus, Status } from '../status.js';

const STATES: readonly HostStatus[] = ['ok', 'pending', 'failing', 'needs-attention'];

export function hostStatusGauge(registry: Registry, status: () => Status): void {
  new Gauge({
    name: 'ddnsd_host_status',
    help: 'Each host and family: 1 for the status it is in (ok, pending, failing, needs-attention), 0 for the others.',
    labelNames: ['provider', 'host', 'family', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const h of status().hosts) {
        for (const s of STATES) this.set({ provider: h.provider, host: h.host, family: h.family, status: s }, h.status === s ? 1 : 0);
      }
    },
  });
}
