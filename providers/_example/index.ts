/**
 * A copy-me adapter for a REST service, not registered (see
 * docs/adding-a-provider.md). Its made-up API, as a provider's docs would
 * give it:
 *
 *   GET  {endpoint}/records?name=office.example.com&type=A  → {"records": [{"id": "r1", "content": "81.2.69.160"}]}
 *   POST {endpoint}/records        {"name", "type", "content"} → {"record": {...}}
 *   PUT  {endpoint}/records/{id}   {"content"}                 → {"record": {...}}
 *   Authorization: Bearer <token>; errors: {"error": "..."} with 401, 404, 429 (Retry-After), 5xx.
 *
 * Copy the folder, rename the type, and change what the service does differently.
 */
import {
  DdnsError,
  defineProvider,
  entrySchema,
  RECORD_TYPE,
  requestJson,
  resultOf,
  sameAddress,
  secret,
  statusFailure,
  unexpectedAnswer,
  type HostResult,
  type HostUpdate,
  type JsonResponse,
  type ProviderDeps,
  type z,
} from '../kit/index.js';

export const schema = entrySchema('example', { token: secret('the Example DNS API token') }, { endpoint: 'https://api.example-dns.invalid/v1' });

type Settings = z.infer<typeof schema>;

interface ExampleRecord {
  id: string;
  content: string;
}

/** Throws the failure an answer means: the kit maps 401/403, 429 and 5xx; the rest is this service's own. */
function check(res: JsonResponse, what: string, now: number): void {
  const failure = statusFailure(res, what, now);
  if (failure?.kind === 'auth') throw new DdnsError('auth', `${what}: the token was refused (HTTP ${res.status}); create a token with DNS write access and put it in the config`);
  if (failure) throw failure;
  if (res.status === 404) throw new DdnsError('fatal', `${what}: no such record or zone (HTTP 404); check hosts`);
  if (res.status >= 300 || typeof res.json !== 'object' || res.json === null) throw unexpectedAnswer(what, res);
}

async function updateOne(settings: Settings, deps: ProviderDeps, u: HostUpdate, signal: AbortSignal): Promise<HostResult> {
  const headers = { authorization: `Bearer ${settings.token}` };
  const type = RECORD_TYPE[u.family];
  const what = `Example DNS, ${type} record of ${u.host}`;
  const query = new URLSearchParams({ name: u.host, type });
  const found = await requestJson(deps.http, { url: `${settings.endpoint}/records?${query}`, headers, signal });
  check(found, what, deps.clock.now());
  const records = (found.json as { records?: ExampleRecord[] }).records;
  if (!Array.isArray(records)) throw unexpectedAnswer(what, found);
  const current = records[0];
  // Nothing to send: the service already has the address.
  if (current && sameAddress(current.content, u.address)) return resultOf(u, 'unchanged');
  const write = current
    ? await requestJson(deps.http, { url: `${settings.endpoint}/records/${encodeURIComponent(current.id)}`, method: 'PUT', headers, json: { content: u.address }, signal })
    : await requestJson(deps.http, { url: `${settings.endpoint}/records`, method: 'POST', headers, json: { name: u.host, type, content: u.address }, signal });
  check(write, what, deps.clock.now());
  return resultOf(u, 'updated');
}

export default defineProvider({
  type: 'example',
  schema,
  secrets: ['token'],
  create(settings: Settings, deps) {
    return {
      label: 'example',
      hosts: settings.hosts,
      async update({ updates, signal }) {
        const results: HostResult[] = [];
        for (const u of updates) {
          try {
            results.push(await updateOne(settings, deps, u, signal));
          } catch (error) {
            // A host the service refuses fails alone; anything else (auth, rate limit, network) fails the call.
            if (error instanceof DdnsError && error.kind === 'fatal') results.push(resultOf(u, error));
            else throw error;
          }
        }
        return results;
      },
    };
  },
});
