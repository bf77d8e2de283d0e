/**
 * What the notification targets share: the events and severities, one
 * notification, and the two kinds of target. A *message* target is told what
 * happened (webhook, ntfy, email, the chat services); a *heartbeat* target is
 * pinged after every cycle to say ddnsd is alive (healthchecks), which is not
 * a message. Each target type is `{ type, schema, create }` in registry.ts.
 * A leaf: it imports nothing from notify/.
 */
import type { ZodType } from 'zod';
import type { CycleReport } from '../cycle/report.js';
import type { HttpClient } from '../base/http.js';

export const NOTIFY_EVENTS = [
  'address-changed',
  'host-updated',
  'host-failed',
  'host-needs-attention',
  'host-recovered',
  'lan-address-changed',
  'reachability-lost',
  'reachability-restored',
  'wan-down',
  'wan-up',
  'failover',
  'failback',
  'started',
  'stopped',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Notification {
  event: NotifyEvent;
  severity: Severity;
  /** What it is about; with `state`, what repeats are collapsed on. */
  subject: string;
  state: string;
  /** Ends a problem: sent only where the problem was told. */
  recovery: boolean;
  title: string;
  message: string;
  at: number;
}

/** Sends one notification; throws when the target refused it. */
export type Sender = (n: Notification, signal: AbortSignal) => Promise<void>;

/** Tells a heartbeat target how the cycle went; throws when the target refused it. */
export type Heartbeat = (report: CycleReport, signal: AbortSignal) => Promise<void>;

/** What every target's settings have besides its own. */
export interface CommonSettings {
  type: string;
  name?: string | undefined;
  events?: NotifyEvent[] | undefined;
  severity: Severity;
  rate_limit: number;
}

export interface TargetDeps {
  http: HttpClient;
}

interface KindBase<C extends CommonSettings> {
  type: C['type'];
  /** The settings as written; a URL target's schema also parses its URL. */
  schema: ZodType<C, unknown>;
  /** Values that must never be printed: tokens, passwords, URLs that hold them. */
  secrets(config: C): string[];
  /** How the target appears in the status and logs, never with a secret. */
  describe(config: C): string;
}

export interface MessageKind<C extends CommonSettings> extends KindBase<C> {
  kind: 'message';
  create(config: C, deps: TargetDeps): Sender;
}

export interface HeartbeatKind<C extends CommonSettings> extends KindBase<C> {
  kind: 'heartbeat';
  create(config: C, deps: TargetDeps): Heartbeat;
}
