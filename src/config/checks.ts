/**
 * The `checks:` section: which links of the chain from the internet to this
 * machine ddnsd checks, and which of them make /healthz unhealthy.
 * Without `checks:` no check runs (they ask public resolvers and a probe).
 */
import { z } from 'zod';
import { duration, expected, INTERPRETED } from './schema.js';
import { parseDnsServer, type DnsServer } from '../base/dns.js';

/** The public resolvers asked when `checks.dns.resolvers` is not set. */
export const DEFAULT_RESOLVERS = ['1.1.1.1', '8.8.8.8', '9.9.9.9'];
/** An echoip-compatible probe: GET answers {"ip": "…", "port": 1234, "reachable": true}. */
export const DEFAULT_PROBE = 'https://ifconfig.co/port/{port}';

const server = z.string({ error: expected('a DNS server address like 1.1.1.1 or 192.0.2.53:5353') }).transform((text, ctx) => {
  const parsed = parseDnsServer(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const required = z.boolean({ error: expected('true or false') }).default(false);

const dnsCheck = z.strictObject(
  {
    required,
    resolvers: z
      .array(server, { error: expected('a list of DNS server addresses') })
      .min(1, { error: 'list at least one resolver' })
      .default(DEFAULT_RESOLVERS.map((r) => ({ host: r, port: 53 }))),
    /** true: find the zone's servers by an NS lookup; a list: ask these; false: do not ask them. */
    authoritative: z.union([z.boolean(), z.array(server)], { error: expected('true, false or a list of DNS server addresses') }).default(true),
  },
  { error: expected('a mapping with required, resolvers and authoritative, or true') },
);

const portEntry = z.strictObject(
  {
    host: z.string({ error: expected('the hostname remote clients connect to') }).min(1),
    port: z
      .int({ error: expected('a port number like 1234') })
      .min(1, { error: 'expected a port 1-65535' })
      .max(65535, { error: 'expected a port 1-65535' }),
    protocol: z.literal('tcp', { error: 'only tcp can be checked from outside' }).default('tcp'),
  },
  { error: expected('a mapping with host, port and protocol') },
);

const probe = z
  .string({ error: expected('an http(s) URL with {port} in it') })
  .refine((u) => /^https?:\/\//.test(u) && u.includes('{port}'), { error: 'expected an http(s) URL with {port} in it, like https://ifconfig.co/port/{port}' });

const portCheck = z.strictObject(
  {
    required,
    probe: probe.default(DEFAULT_PROBE),
    /** Also try connecting to the external address from here (reported apart: it says nothing about the outside). */
    hairpin: z.boolean({ error: expected('true or false') }).default(true),
    ports: z.array(portEntry, { error: expected('a list of {host, port, protocol}') }).min(1, { error: 'list at least one port' }),
  },
  { error: expected('a mapping with ports, probe, hairpin and required') },
);

const forwardCheck = z.strictObject(
  {
    required,
    /** The router's UPnP description URL, when SSDP discovery cannot find it (a container, another subnet). */
    location: z
      .string({ error: expected("the router's UPnP description URL, like http://192.168.178.1:49000/igddesc.xml") })
      .refine((u) => /^http:\/\/[^/]+\//.test(u), { error: "expected the router's UPnP description URL, like http://192.168.178.1:49000/igddesc.xml" })
      .optional(),
  },
  { error: expected('a mapping with required and location, or true') },
);

const on = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === true ? {} : v === false ? undefined : v), schema.optional());

const checksObject = z.strictObject(
  {
    interval: duration(60_000, 'must be at least 1m').default(15 * 60_000),
    timeout: duration(100, 'must be at least 100ms').default(5000),
    dns: on(dnsCheck),
    port: on(portCheck),
    forward: on(forwardCheck),
  },
  { error: expected('a mapping with interval, timeout, dns, port and forward') },
);

export const checksSchema = checksObject.optional();

export type ChecksConfig = z.infer<typeof checksObject>;

/** What `ddnsd doctor` checks when the config has no `checks:`: DNS, which needs nothing but the hosts. */
export const doctorDefaults = (): ChecksConfig => checksObject.parse({ dns: true }, INTERPRETED);
export type PortEntry = z.infer<typeof portEntry>;
export type { DnsServer };
