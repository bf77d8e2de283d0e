/**
 * What a cycle tells the rest of ddnsd: typed events that the log, metrics,
 * the status history and notifications subscribe to. Events are facts
 * ("this host failed"); deciding what is worth saying again is each
 * subscriber's business. A subscriber that throws never breaks a cycle.
 */
import type { FailureKind } from '../base/errors.js';
import type { Family } from '../base/address.js';
import type { SourceAnswer } from '../detect/index.js';
import type { CycleReport } from './report.js';
import type { LanAddress } from '../state.js';

/** The reachability checks (src/reach/), named here so the events need nothing from there. */
export type CheckName = 'dns' | 'port' | 'forward';

/** `warn`: works, but something is worth knowing (propagating, could not ask). `skip`: not checkable, with the reason. */
export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';

interface HostFields {
  /** The provider's label, e.g. `cloudflare`. */
  provider: string;
  host: string;
  family: Family;
  at: number;
}

export type CycleEvent =
  /** `answers`: what every source said, for the status. */
  | { type: 'detected'; family: Family; address: string; sources: string[]; answers?: SourceAnswer[]; at: number }
  | { type: 'detection-failed'; family: Family; error: string; answers?: SourceAnswer[]; at: number }
  | { type: 'address-changed'; family: Family; from: string | undefined; to: string; sources: string[]; at: number }
  | (HostFields & { type: 'host-updated'; address: string; outcome: 'updated' | 'unchanged' })
  | (HostFields & { type: 'host-recovered'; address: string })
  | (HostFields & { type: 'host-failed'; kind: FailureKind; message: string; retryAt: number })
  | (HostFields & { type: 'host-needs-attention'; kind: FailureKind; message: string; entry: number })
  | { type: 'lan-address-changed'; removed: LanAddress[]; added: LanAddress[]; at: number }
  | { type: 'cycle-finished'; report: CycleReport; at: number }
  /** A check's subject went from passing to failing or back; `previous` is undefined on its first run. */
  | {
      type: 'reachability-changed';
      check: CheckName;
      subject: string;
      verdict: Verdict;
      previous: Verdict | undefined;
      summary: string;
      fix: string | null;
      required: boolean;
      at: number;
    }
  /** A link (`wans:`) turned unhealthy (or was down at its first check); `upSince`: since when it had been up. */
  | { type: 'wan-down'; wan: string; error: string; upSince?: number; at: number }
  | { type: 'wan-up'; wan: string; addresses: Partial<Record<Family, string>>; downSince: number; at: number }
  /** Hosts that follow links moved: to a later link in their order (failover) or back to an earlier one (failback). */
  | { type: 'failover'; from: string; to: string; hosts: { provider: string; host: string }[]; at: number }
  | { type: 'failback'; from: string; to: string; hosts: { provider: string; host: string }[]; at: number }
  | { type: 'started'; version: string; at: number }
  | { type: 'stopped'; at: number };

export type EventType = CycleEvent['type'];
export type EventOf<T extends EventType> = Extract<CycleEvent, { type: T }>;

export interface Events {
  /** Subscribes to one type of event; returns the unsubscribe function. */
  on<T extends EventType>(type: T, listener: (event: EventOf<T>) => void): () => void;
  /** Subscribes to every event. */
  onAny(listener: (event: CycleEvent) => void): () => void;
  emit(event: CycleEvent): void;
}

/** `onError` hears a listener's failure; the other listeners and the cycle go on. */
export function createEvents(onError: (error: unknown, event: CycleEvent) => void = () => {}): Events {
  const listeners = new Set<(event: CycleEvent) => void>();
  const onAny = (listener: (event: CycleEvent) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    on: (type, listener) =>
      onAny((event) => {
        if (event.type === type) listener(event as EventOf<typeof type>);
      }),
    onAny,
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          onError(error, event);
        }
      }
    },
  };
}
