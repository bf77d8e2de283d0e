/**
 * Porkbun (API v3, an API key pair in each request's body). Each host's
 * domain is the configured `zone` or found in one listing of the account's
 * domains; its record of each type is read, and changed (editByNameType) or
 * created only when it does not already hold the address.
 */
import {
  defineProvider,
  entrySchema,
  hostname,
  hostsInZone,
  RECORD_TYPE,
  recordProvider,
  relativeName,
  secret,
  ttlSeconds,
  z,
  zoneFinder,
} from '../kit/index.js';
import { createPorkbunApi } from './api.js';

/** Porkbun's smallest TTL, and what it gives a new record. */
export const MIN_TTL = 600;

export const schema = entrySchema(
  'porkbun',
  {
    api_key: secret('the Porkbun API key (pk1_…)'),
    secret_api_key: secret('the Porkbun secret API key (sk1_…)'),
    zone: hostname.optional(),
    ttl: ttlSeconds('Porkbun', MIN_TTL).optional(),
  },
  { endpoint: 'https://api.porkbun.com/api/json/v3' },
).superRefine(hostsInZone);

export type Settings = z.infer<typeof schema>;

export default defineProvider({
  type: 'porkbun',
  schema,
  secrets: ['api_key', 'secret_api_key'],
  create(settings: Settings, deps) {
    const api = createPorkbunApi({ endpoint: settings.endpoint, apiKey: settings.api_key, secretApiKey: settings.secret_api_key, http: deps.http, clock: deps.clock });
    let domains: Promise<string[]> | undefined;
    const listed = (signal: AbortSignal): Promise<string[]> => {
      domains ??= api.listDomains(signal).catch((error: unknown) => {
        domains = undefined;
        throw error;
      });
      return domains;
    };
    const domainOf = zoneFinder(
      async (name, signal) => (settings.zone !== undefined || (await listed(signal)).includes(name) ? name : undefined),
      (host) => `the Porkbun account has no domain that holds ${host}; list hosts of a domain in this account, or set zone`,
      settings.zone,
    );
    const ttl = settings.ttl ?? MIN_TTL;

    return recordProvider('porkbun', settings.hosts, {
      async read(u, s) {
        const domain = await domainOf(u.host, s);
        const sub = relativeName(u.host, domain).replace(/^@$/, '');
        const records = await api.retrieve(domain, RECORD_TYPE[u.family], sub, s);
        return {
          values: records.map((r) => r.content),
          record: { domain, sub, exists: records.length > 0 },
          stale: settings.ttl !== undefined && records.some((r) => Number(r.ttl) !== settings.ttl),
        };
      },
      async write(u, current, s) {
        const { domain, sub, exists } = current.record as { domain: string; sub: string; exists: boolean };
        if (exists) await api.edit(domain, RECORD_TYPE[u.family], sub, u.address, ttl, s);
        else await api.create(domain, RECORD_TYPE[u.family], sub, u.address, ttl, s);
      },
    });
  },
});
