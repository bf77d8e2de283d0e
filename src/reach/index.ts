/**
 * Reachability: the checks of the chain from the internet to this machine
 * (dns, port, forward), run every `checks.interval` and after every address
 * change. Each run's results are kept for the status; a subject that starts
 * or stops failing is told as a `reachability-changed` event.
 */
import type { DnsClient } from '../base/dns.js';
import type { Clock } from '../base/clock.js';
import type { ConfiguredProvider, Events } from '../cycle/index.js';
import type { HttpClient } from '../base/http.js';
import type { Logger } from '../base/log.js';
import { hostKey, type LanAddress, type State } from '../state.js';
import type { ChecksConfig } from '../config/checks.js';
import { checkDns, type DnsResult, type DnsTarget } from './dns.js';
import { checkForward, type PortMapper } from './forward.js';
import { checkPort } from './port.js';
import { isFailing, type CheckResult, type ReachReport, type Verdict } from './result.js';

export type { CheckResult, ReachReport, Verdict } from './result.js';
export type { PortMapper, PortMapping } from './forward.js';

export interface ReachDeps {
  config: ChecksConfig;
  http: HttpClient;
  dns: DnsClient;
  clock: Clock;
  log: Logger;
  events: Events;
  /** Read only: the detected addresses, the LAN. */
  state: State;
  /** Forgets that a host's record holds `address`, so the next cycle sends it (false: it no longer does). */
  invalidate(key: string, address: string): boolean;
  providers: readonly ConfiguredProvider[];
  lan: () => LanAddress[];
  /** The router over UPnP IGD, for the forward check. */
  mapper?: PortMapper | undefined;
  /** Tests only: where the hairpin attempt connects, and the zone servers' port. */
  hairpinHost?: string;
  authoritativePort?: number;
}

export interface Reach {
  /** Runs every configured check once, records the results and tells what changed. */
  run(signal?: AbortSignal): Promise<ReachReport>;
  /** Runs every check once and only returns the results: nothing recorded, nothing told (`ddnsd doctor`). */
  check(signal?: AbortSignal): Promise<CheckResult[]>;
  last(): ReachReport | undefined;
  /** Runs now, then every interval and after each cycle that changed the address. */
  start(): void;
  stop(): Promise<void>;
}

/** A dns target with the state key of its host, for drift. */
type Target = DnsTarget & { key: string };

function dnsTargets(deps: ReachDeps): Target[] {
  const out: Target[] = [];
  for (const { entry, provider } of deps.providers) {
    for (const host of provider.hosts) {
      for (const family of entry.families) {
        const address = deps.state.detected[family]?.address;
        const key = hostKey(entry.definition.type, host, family);
        if (address) out.push({ host, family, address, proxied: entry.settings.proxied === true, key });
      }
    }
  }
  return out;
}

/**
 * A record the zone's servers hold with another address than the one the
 * provider confirmed: forget the confirmation, so the next cycle sends it again.
 */
function forgetDrifted(deps: ReachDeps, targets: Target[], results: DnsResult[]): void {
  results.forEach((r, i) => {
    const target = targets[i];
    if (!r.drift || !target || !deps.invalidate(target.key, target.address)) return;
    deps.log.warn(`${r.subject}: the zone's DNS servers do not hold ${target.address}, which the provider confirmed; sending it again at the next check`);
  });
}

/** Every configured check, once; `record` lets a run act on drift (doctor only looks). */
export async function runChecks(deps: ReachDeps, signal?: AbortSignal, record = false): Promise<CheckResult[]> {
  const { config } = deps;
  const lan = deps.lan();
  const lanV4 = lan.find((a) => a.family === 'ipv4')?.address;
  const timeoutMs = config.timeout;
  const runs: Promise<CheckResult[]>[] = [];
  if (config.dns) {
    const { dns } = config;
    const targets = dnsTargets(deps);
    runs.push(
      checkDns(targets, {
        dns: deps.dns,
        resolvers: dns.resolvers,
        authoritative: dns.authoritative,
        required: dns.required,
        ...(deps.authoritativePort ? { authoritativePort: deps.authoritativePort } : {}),
        ...(signal ? { signal } : {}),
      }).then((results) => {
        if (record) forgetDrifted(deps, targets, results);
        return results;
      }),
    );
  }
  const port = config.port;
  if (port) {
    const external = deps.state.detected.ipv4?.address;
    const common = { http: deps.http, probe: port.probe, timeoutMs, external, lan: lanV4, hairpin: port.hairpin, required: port.required };
    const extra = { ...(deps.hairpinHost ? { hairpinHost: deps.hairpinHost } : {}), ...(signal ? { signal } : {}) };
    runs.push(Promise.all(port.ports.map((entry) => checkPort(entry, { ...common, ...extra }))));
    if (config.forward) {
      const options = { mapper: deps.mapper, lan, required: config.forward.required };
      runs.push(Promise.all(port.ports.map((entry) => checkForward(entry, options))));
    }
  }
  return (await Promise.all(runs)).flat();
}

export function createReach(deps: ReachDeps): Reach {
  const verdicts = new Map<string, Verdict>();
  const stopping = new AbortController();
  let last: ReachReport | undefined;
  let inFlight: Promise<ReachReport> | undefined;
  let again = false;
  let main: Promise<void> | undefined;

  const tell = (results: CheckResult[], at: number): void => {
    for (const r of results) {
      if (r.verdict === 'skip') continue;
      const key = `${r.check} ${r.subject}`;
      const previous = verdicts.get(key);
      verdicts.set(key, r.verdict);
      if (isFailing(previous) === isFailing(r.verdict)) continue;
      if (isFailing(r.verdict)) deps.log.warn(`Reachability (${r.check}) ${r.subject}: ${r.summary}. ${r.fix ?? ''}`.trim());
      else deps.log.info(`Reachability (${r.check}) ${r.subject} works again: ${r.summary}`);
      deps.events.emit({
        type: 'reachability-changed',
        check: r.check,
        subject: r.subject,
        verdict: r.verdict,
        previous,
        summary: r.summary,
        fix: r.fix,
        required: r.required,
        at,
      });
    }
  };

  const run = (signal?: AbortSignal): Promise<ReachReport> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        const results = await runChecks(deps, signal ?? stopping.signal, true);
        last = { at: deps.clock.now(), results };
        tell(results, last.at);
        return last;
      } finally {
        inFlight = undefined;
        if (again && !stopping.signal.aborted) {
          again = false;
          void run().catch(() => {});
        }
      }
    })();
    return inFlight;
  };

  let changed = false;
  deps.events.on('address-changed', () => (changed = true));
  deps.events.on('cycle-finished', () => {
    const due = changed && main !== undefined;
    changed = false;
    if (!due) return;
    void run().catch((error: Error) => deps.log.error(`The reachability checks failed: ${error.message}`));
  });

  return {
    run,
    check: (signal) => runChecks(deps, signal),
    last: () => last,
    start() {
      main ??= (async () => {
        while (!stopping.signal.aborted) {
          await run().catch((error: Error) => deps.log.error(`The reachability checks failed: ${error.message}`));
          await deps.clock.sleep(deps.config.interval, stopping.signal).catch(() => {});
        }
      })();
    },
    async stop() {
      stopping.abort(new Error('ddnsd is stopping'));
      await Promise.allSettled([main, inFlight]);
    },
  };
}
