/**
 * The links (`wans:`): ddnsd_wan_up{wan} is 1 while a link is healthy and 0
 * while it is not; ddnsd_wan_following{wan,provider,host} is 1 for the link a
 * host follows now, so a dashboard shows a failover as it happens.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Status } from '../status.js';

export function wanGauges(registry: Registry, status: () => Status): void {
  new Gauge({
    name: 'ddnsd_wan_up',
    help: 'Each link under wans: 1 while it is healthy (detected, and its probe answered), 0 while it is not.',
    labelNames: ['wan'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const w of status().wans ?? []) if (w.up !== null) this.set({ wan: w.name }, w.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ddnsd_wan_following',
    help: 'Each host that follows links: 1 for the link it follows now.',
    labelNames: ['wan', 'provider', 'host'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const seen = new Set<string>();
      for (const h of status().hosts) {
        const key = `${h.provider} ${h.host}`;
        if (!h.wan || seen.has(key)) continue;
        seen.add(key);
        this.set({ wan: h.wan, provider: h.provider, host: h.host }, 1);
      }
    },
  });
}
