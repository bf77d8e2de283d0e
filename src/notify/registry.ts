/**
 * Every notification target type, like the provider registry: one entry
 * each, `{ type, schema, create }`. To add a target: a file in src/notify/
 * that exports its kind, and one line here. A target given only as a URL
 * takes its type from the URL's scheme (SCHEMES).
 */
import { discordTarget } from './discord.js';
import { emailTarget } from './email.js';
import { gotifyTarget } from './gotify.js';
import { healthchecksTarget } from './healthchecks.js';
import { matrixTarget } from './matrix.js';
import { ntfyTarget } from './ntfy.js';
import { pushoverTarget } from './pushover.js';
import { slackTarget } from './slack.js';
import { telegramTarget } from './telegram.js';
import type { CommonSettings, HeartbeatKind, MessageKind } from './types.js';
import { webhookTarget } from './webhook.js';

export const TARGETS = [
  webhookTarget,
  ntfyTarget,
  emailTarget,
  healthchecksTarget,
  discordTarget,
  slackTarget,
  telegramTarget,
  gotifyTarget,
  pushoverTarget,
  matrixTarget,
] as const;

export type TargetConfig = ReturnType<(typeof TARGETS)[number]['schema']['parse']>;

export type AnyKind = MessageKind<CommonSettings> | HeartbeatKind<CommonSettings>;

/** The kind of a target type; undefined when there is none. */
export function kindOf(type: string): AnyKind | undefined {
  return (TARGETS as readonly { type: string }[]).find((k) => k.type === type) as AnyKind | undefined;
}

/** URL schemes whose type is not the scheme itself (Shoutrrr's generic service is ddnsd's webhook). */
const SCHEMES: Record<string, string> = { generic: 'webhook', 'generic+https': 'webhook', 'generic+http': 'webhook', https: 'webhook', http: 'webhook' };

/** The target type a bare URL stands for, from its scheme; undefined when ddnsd has none. */
export function typeOfUrl(url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return undefined;
  const type = SCHEMES[scheme] ?? scheme;
  return kindOf(type) && type !== 'email' && type !== 'healthchecks' ? type : undefined;
}

export const URL_SCHEMES = ['discord', 'slack', 'telegram', 'gotify', 'pushover', 'matrix', 'ntfy', 'generic+https', 'generic+http', 'generic'];
