/**
 * Notifications: the cycle's events, sent to each configured target that
 * wants them. Per target: an event filter and a least severity; repeats
 * collapsed (a host that keeps failing is told once, then on recovery); at
 * most `rate_limit` messages an hour (the next one says how many were held
 * back); each send retried with backoff. Sending happens beside the cycle:
 * a slow or failing target never delays or fails it, and shows in the status.
 */
import type { Clock } from '../base/clock.js';
import type { Events } from '../cycle/index.js';
import type { HttpClient } from '../base/http.js';
import type { Logger, Redactor } from '../base/log.js';
import { DEFAULT_EVENTS, describeTarget, type TargetConfig } from './config.js';
import { toNotification } from './message.js';
import { kindOf } from './registry.js';
import { SEVERITIES, type Heartbeat, type Notification, type Sender } from './types.js';

export type { Notification, Sender } from './types.js';

export interface NotifyTargetStatus {
  name: string;
  type: TargetConfig['type'];
  sent: number;
  failed: number;
  /** Held back by the rate limit since the last message sent. */
  heldBack: number;
  lastSentAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface NotifyDeps {
  targets: readonly TargetConfig[];
  http: HttpClient;
  clock: Clock;
  log: Logger;
  redactor: Redactor;
  events: Events;
  /** Waits between the attempts of one send; the default is 5 s, 30 s. */
  retryDelaysMs?: number[];
}

export interface Notifier {
  status(): NotifyTargetStatus[];
  /** Waits until every queued send is done (or given up). */
  flush(): Promise<void>;
  close(): void;
}

const HOUR = 3_600_000;
const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

interface Slot {
  config: TargetConfig;
  status: NotifyTargetStatus;
  /** The last state told per subject: what collapses repeats. */
  told: Map<string, string>;
  sentAt: number[];
  queue: Promise<void>;
}

export function createNotifier(deps: NotifyDeps): Notifier {
  const { clock, log, redactor } = deps;
  const stopping = new AbortController();
  const delays = deps.retryDelaysMs ?? [5000, 30_000];
  const slots: Slot[] = deps.targets.map((config) => ({
    config,
    status: { name: describeTarget(config), type: config.type, sent: 0, failed: 0, heldBack: 0, lastSentAt: null, lastError: null, lastErrorAt: null },
    told: new Map(),
    sentAt: [],
    queue: Promise.resolve(),
  }));

  /** Runs `attempt` with retries, then records the outcome; never throws. */
  const deliver = (slot: Slot, what: string, attempt: (signal: AbortSignal) => Promise<void>): void => {
    slot.queue = slot.queue.then(async () => {
      for (let i = 0; ; i++) {
        try {
          await attempt(stopping.signal);
          slot.status.sent++;
          slot.status.lastSentAt = new Date(clock.now()).toISOString();
          if (slot.status.lastError) log.info(`Notification target ${slot.status.name} works again`);
          slot.status.lastError = null;
          return;
        } catch (error) {
          const wait = delays[i];
          if (wait === undefined || stopping.signal.aborted) {
            slot.status.failed++;
            slot.status.lastError = redactor.redact(`${what}: ${(error as Error).message}`);
            slot.status.lastErrorAt = new Date(clock.now()).toISOString();
            log.warn(`Notification target ${slot.status.name} failed: ${slot.status.lastError}`);
            return;
          }
          await clock.sleep(wait, stopping.signal).catch(() => {});
        }
      }
    });
  };

  const wants = (slot: Slot, n: Notification): boolean => {
    const { config, told } = slot;
    if (!(config.events ?? DEFAULT_EVENTS).includes(n.event) || rank(n.severity) < rank(config.severity)) return false;
    const before = told.get(n.subject);
    if (before === n.state || (n.recovery && before === undefined)) return false;
    told.set(n.subject, n.state);
    return true;
  };

  /** True when the target may send now; counts what it holds back. */
  const allowed = (slot: Slot, now: number): boolean => {
    slot.sentAt = slot.sentAt.filter((t) => now - t < HOUR);
    if (slot.sentAt.length >= slot.config.rate_limit) {
      slot.status.heldBack++;
      return false;
    }
    slot.sentAt.push(now);
    return true;
  };

  const senders = new Map<Slot, Sender>();
  const pings = new Map<Slot, Heartbeat>();
  for (const slot of slots) {
    const kind = kindOf(slot.config.type);
    if (kind?.kind === 'heartbeat') pings.set(slot, kind.create(slot.config, { http: deps.http }));
    else if (kind) senders.set(slot, kind.create(slot.config, { http: deps.http }));
  }

  const offs = [
    deps.events.onAny((event) => {
      const n = toNotification(event);
      if (!n) return;
      for (const [slot, send] of senders) {
        if (!wants(slot, n) || !allowed(slot, clock.now())) continue;
        const held = slot.status.heldBack;
        slot.status.heldBack = 0;
        const message = held
          ? { ...n, message: `${n.message}\n(${held} earlier notification${held === 1 ? ' was' : 's were'} held back: at most ${slot.config.rate_limit} an hour.)` }
          : n;
        deliver(slot, n.title, (signal) => send(message, signal));
      }
    }),
    deps.events.on('cycle-finished', (e) => {
      for (const [slot, ping] of pings) deliver(slot, e.report.ok ? 'success ping' : 'failure ping', (signal) => ping(e.report, signal));
    }),
  ];

  return {
    status: () => slots.map((s) => ({ ...s.status })),
    async flush() {
      await Promise.all(slots.map((s) => s.queue));
    },
    close() {
      for (const off of offs) off();
      stopping.abort(new Error('ddnsd is stopping'));
    },
  };
}
