/**
 * The config file's contract. Key names are user-facing: keep them.
 * Provider entries are validated by their own adapter's schema (providers/).
 */
import { z } from 'zod';
import { describeValue, duration, expected, INTERPRETED } from '../base/schema.js';
import { parseListen } from './listen.js';
import { serverSchema } from './server.js';

export { parseListen, type Listen } from './listen.js';
export { describeValue, duration, expected, INTERPRETED };

const listen = z.union([z.string(), z.number()], { error: expected('an address and port like 127.0.0.1:8080') }).transform((value, ctx) => {
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
    state: z
      .string({ error: expected('a file path') })
      .min(1, { error: 'must not be empty' })
      .default('./data/state.json'),
    detect: z
      .strictObject(
        {
          ipv4: sourceList.optional(),
          ipv6: sourceList.default([]),
          agree: z
            .int({ error: expected('a whole number of sources, e.g. 2') })
            .min(1, { error: 'must be at least 1' })
            .default(2),
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
