/**
 * The config file's contract. Key names are user-facing: keep them.
 * Provider entries are validated by their own adapter's schema (providers/).
 */
import { z } from 'zod';
import { parseDuration } from '../base/duration.js';
import { parseListen } from './listen.js';
import { serverSchema } from './server.js';

export { parseListen, type Listen } from './listen.js';

/** An error message that says what was expected and, when absent, that it is missing. */
export function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? `missing; expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** A duration key: milliseconds after parsing, at least `min`, else `tooShort` as the error. */
export const duration = (min: number, tooShort: string) =>
  z
    .union([z.string(), z.number()], { error: expected('a duration like 30s, 5m, 1h or 25d') })
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m, 1h or 25d, got ${describeValue(value)}` });
        return z.NEVER;
      }
      if (ms < min) {
        ctx.addIssue({ code: 'custom', message: tooShort });
        return z.NEVER;
      }
      return ms;
    });

const listen = z
  .union([z.string(), z.number()], { error: expected('an address and port like 127.0.0.1:8080') })
  .transform((value, ctx) => {
    const parsed = parseListen(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

const sourceList = z.array(z.string({ error: expected('a source name or an http(s) URL') }), {
  error: expected('a list of sources, e.g. [ipify, icanhazip, cloudflare]'),
});

export const configSchema = z.strictObject(
  {
    interval: duration(1000, 'must be at least 1s').default(300_000),
    refresh: duration(0, 'must be 0 (never) or a duration').default(25 * 86_400_000),
    state: z.string({ error: expected('a file path') }).min(1, { error: 'must not be empty' }).default('./data/state.json'),
    detect: z
      .strictObject(
        {
          ipv4: sourceList.optional(),
          ipv6: sourceList.default([]),
          agree: z.int({ error: expected('a whole number of sources, e.g. 2') }).min(1, { error: 'must be at least 1' }).default(2),
          timeout: duration(100, 'must be at least 100ms').default(5000),
        },
        { error: expected('a mapping with ipv4, ipv6, agree and timeout') },
      )
      .default({ ipv6: [], agree: 2, timeout: 5000 }),
    server: serverSchema(listen, expected, duration),
    providers: z.array(z.unknown(), { error: expected('a list of provider entries') }).default([]),
  },
  { error: expected('a mapping of settings') },
);

export type RawConfig = z.infer<typeof configSchema>;
