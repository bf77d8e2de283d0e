/** A `type: cloudflare` entry: the token, where the zone is, and the record fields ddnsd sets. */
import { entrySchema, hostname, secret, z } from '../kit/index.js';

/**
 * Cloudflare's TTLs: 1 (automatic) or 60 to 86400 seconds; 30 only on
 * Enterprise zones (API schema dns-records_ttl). ddnsd refuses 30–59 here
 * rather than raise them quietly: Cloudflare refuses them (error 9021)
 * outside Enterprise, and a quietly raised TTL is not what the config says.
 */
export const MIN_TTL = 60;

const ttl = z
  .number({ error: 'expected a number of seconds, or 1 for automatic' })
  .int({ error: 'expected whole seconds' })
  .refine((v) => v === 1 || (v >= MIN_TTL && v <= 86400), {
    error: `expected 1 (automatic) or ${MIN_TTL} to 86400 seconds: Cloudflare's lowest TTL is ${MIN_TTL} s (30 s only on Enterprise zones, which ddnsd does not tell apart)`,
  });

/**
 * An API token is an OAuth2 bearer token (RFC 6750 b64token); anything else
 * Cloudflare answers with 6003/6111 on every request (favonia/cloudflare-ddns
 * `internal/config/env_auth.go` refuses it at start-up for the same reason).
 */
const TOKEN_FORM = /^[-a-zA-Z0-9._~+/]+=*$/;

const zoneIdMessage = 'expected the zone id, a 32-character hex string from the zone overview page';

export const schema = entrySchema(
  'cloudflare',
  {
    token: secret('the Cloudflare API token').regex(TOKEN_FORM, {
      error: 'the Cloudflare API token holds a character no token has (a space, a quote, a line break?): copy it again from My Profile → API Tokens',
    }),
    zone: hostname.optional(),
    zone_id: z
      .string({ error: zoneIdMessage })
      .regex(/^[0-9a-f]{32}$/i, { error: zoneIdMessage })
      .optional(),
    proxied: z.boolean({ error: 'expected true or false' }).optional(),
    ttl: ttl.optional(),
    /** all: every record of the name and type is ddnsd's; marked: only those whose comment is `comment`. */
    owned: z.enum(['all', 'marked'], { error: "expected all (every record of the name and type is ddnsd's) or marked (only records carrying ddnsd's comment)" }).default('all'),
    // A record comment holds up to 100 characters on the Free plan:
    // https://developers.cloudflare.com/dns/manage-dns-records/reference/record-attributes/
    comment: z
      .string({ error: 'expected the text ddnsd marks its records with' })
      .min(1, { error: 'must not be empty' })
      .max(100, { error: 'at most 100 characters (Cloudflare keeps longer comments only on paid plans)' })
      .default('managed by ddnsd'),
  },
  { endpoint: 'https://api.cloudflare.com/client/v4' },
).superRefine((entry, ctx) => {
  if (entry.zone !== undefined && entry.zone_id !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['zone_id'], message: 'set either zone or zone_id, not both' });
  }
  const zone = entry.zone;
  if (zone === undefined) return;
  entry.hosts.forEach((host, i) => {
    if (host !== zone && !host.endsWith(`.${zone}`)) {
      ctx.addIssue({ code: 'custom', path: ['hosts', i], message: `${host} is not in the zone ${zone}; list hosts of that zone, or use another entry` });
    }
  });
});

export type Settings = z.infer<typeof schema>;
