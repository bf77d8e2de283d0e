/**
 * The `notify:` section: a list of targets, each with the events it hears,
 * the least severity it sends and how many messages an hour it may send.
 * A target is its type's settings (registry.ts), or one URL whose scheme
 * names its type: `- url: "discord://token@id"`.
 */
import { z } from 'zod';
import { describeValue, INTERPRETED } from '../base/schema.js';
import { kindOf, TARGETS, typeOfUrl, URL_SCHEMES, type TargetConfig } from './registry.js';
import { NOTIFY_EVENTS, type NotifyEvent } from './types.js';

export { NOTIFY_EVENTS, SEVERITIES, type NotifyEvent, type Severity } from './types.js';
export type { TargetConfig } from './registry.js';

/** Every event but host-updated, which an address change already tells once for all hosts. */
export const DEFAULT_EVENTS: NotifyEvent[] = NOTIFY_EVENTS.filter((e) => e !== 'host-updated');

const TYPES = TARGETS.map((k) => k.type).join(', ');

/** The target with its type filled in from its URL's scheme when it has none. */
function withType(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'type' in raw) return raw;
  const url = (raw as { url?: unknown }).url;
  const type = typeof url === 'string' ? typeOfUrl(url) : undefined;
  return type ? { type, ...raw } : raw;
}

export const targetSchema = z.unknown().transform((raw, ctx): TargetConfig => {
  const input = withType(raw);
  const type = typeof input === 'object' && input !== null && 'type' in input ? (input as { type: unknown }).type : undefined;
  const kind = typeof type === 'string' ? kindOf(type) : undefined;
  if (!kind) {
    const hasUrl = typeof input === 'object' && input !== null && 'url' in input && type === undefined;
    const message = hasUrl
      ? `expected a URL starting with ${URL_SCHEMES.map((s) => `${s}://`).join(', ')} (or give type: with ${TYPES})`
      : type === undefined
        ? `missing; expected a target with type ${TYPES}, or a url`
        : `expected a target with type ${TYPES}, got ${describeValue(type)}`;
    ctx.addIssue({ code: 'custom', message, path: hasUrl ? ['url'] : type === undefined ? [] : ['type'], input: type });
    return z.NEVER;
  }
  const parsed = kind.schema.safeParse(input, INTERPRETED);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: issue.input });
    return z.NEVER;
  }
  return parsed.data as TargetConfig;
});

export const notifySchema = z.array(targetSchema, { error: 'expected a list of notification targets' }).default([]);

/** Values that must never be printed: tokens, passwords and URLs that hold them. */
export function notifySecrets(targets: readonly TargetConfig[]): string[] {
  return targets.flatMap((t) => kindOf(t.type)?.secrets(t) ?? []).filter((s) => s.length > 0);
}

/** How a target appears in the status and logs: its type and host, never its path or query. */
export function describeTarget(t: TargetConfig): string {
  return t.name ?? kindOf(t.type)?.describe(t) ?? t.type;
}
