/** A `type: rfc2136` entry: the server, the zone, the TSIG key and the TTL of the records ddnsd writes. */
import { decodeTsigSecret, hostname, parseDnsServer, plainEntrySchema, secret, TSIG_ALGORITHMS, z, type TsigAlgorithm } from '../kit/index.js';

const server = z.string({ error: 'expected the DNS server: a name or address with an optional port, e.g. ns1.example.net or 192.0.2.53:5353' }).superRefine((value, ctx) => {
  const parsed = parseDnsServer(value.trim());
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** A key name as named.conf spells it: labels of letters, digits, `-` and `_`. */
const keyName = z
  .string({ error: 'expected the TSIG key name, as in key "<name>" { … } of named.conf' })
  .transform((v) => v.trim().toLowerCase().replace(/\.$/, ''))
  .refine((v) => v.length <= 253 && v.split('.').every((l) => /^[a-z0-9_-]{1,63}$/.test(l)), {
    error: (issue) => `"${String(issue.input)}" is not a key name; use the name of the key clause in named.conf, e.g. ddnsd-key`,
  });

const algorithms = Object.keys(TSIG_ALGORITHMS) as [TsigAlgorithm, ...TsigAlgorithm[]];

const keySecret = secret('the TSIG key secret').refine((v) => decodeTsigSecret(v) !== undefined, {
  error: 'the TSIG key secret is not base64; copy the text between the quotes after "secret" in the key clause tsig-keygen printed',
});

export const schema = plainEntrySchema('rfc2136', {
  server,
  zone: hostname,
  key_name: keyName,
  key_algorithm: z.enum(algorithms, { error: `expected one of ${algorithms.join(', ')} (the key's algorithm in named.conf)` }).default('hmac-sha256'),
  key_secret: keySecret,
  ttl: z.number({ error: "expected the records' TTL in seconds" }).int({ error: 'expected whole seconds' }).min(0).max(2_147_483_647).default(300),
}).superRefine((entry, ctx) => {
  entry.hosts.forEach((host, i) => {
    if (host !== entry.zone && !host.endsWith(`.${entry.zone}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['hosts', i],
        message: `${host} is not in zone ${entry.zone}; write it as a name of that zone (e.g. office.${entry.zone}), or use another entry for another zone`,
      });
    }
  });
});

export type Settings = z.infer<typeof schema>;
