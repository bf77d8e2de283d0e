/**
 * The made-up Example DNS API of providers/_example/, to copy for a real
 * provider's fake. Every rule follows the API as providers/_example/api.ts
 * documents it: its source is providers/_example/api.ts and docs/adding-a-provider.md
 * (a real fake cites the provider's documentation page or a peer client's file instead,
 * rule by rule, and marks the rest as guesses).
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer } from './server.js';

interface Stored {
  id: string;
  content: string;
}

export interface FakeExample extends FakeServer {
  /** `zone name type` (name relative to the zone) → record. */
  records: Map<string, Stored>;
}

export async function startExample(options: { token: string; zone: string }): Promise<FakeExample> {
  const records = new Map<string, Stored>();
  let next = 1;
  const json = (res: Parameters<Parameters<typeof startFake>[0]>[1], status: number, body: unknown): void =>
    send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
  const fake = await startFake((req, res) => {
    // Authorization: Bearer <token>; anything else is 401 {"error"}.
    if (req.headers.authorization !== `Bearer ${options.token}`) return json(res, 401, { error: 'invalid token' });
    const path = /^\/zones\/([^/]+)(\/records(?:\/([^/]+))?)?$/.exec(req.url.pathname);
    const zone = path?.[1] === undefined ? undefined : decodeURIComponent(path[1]);
    // GET /zones/{zone}: 200 {"zone"} for the account's zone, 404 {"error"} for any other name.
    if (!path || zone !== options.zone) return json(res, 404, { error: 'no such zone' });
    if (req.method === 'GET' && !path[2]) return json(res, 200, { zone: { name: zone } });
    const body = req.body ? (JSON.parse(req.body) as { name?: string; type?: string; content?: string }) : {};
    // GET /zones/{zone}/records?name=&type=: {"records": [...]}, empty when there is none.
    if (req.method === 'GET' && !path[3]) {
      const record = records.get(`${zone} ${req.url.searchParams.get('name')} ${req.url.searchParams.get('type')}`);
      return json(res, 200, { records: record ? [record] : [] });
    }
    // POST /zones/{zone}/records {"name", "type", "content"}: 201 {"record"}.
    if (req.method === 'POST' && !path[3]) {
      const record = { id: `r${next++}`, content: body.content ?? '' };
      records.set(`${zone} ${body.name} ${body.type}`, record);
      return json(res, 201, { record });
    }
    // PUT /zones/{zone}/records/{id} {"content"}: 200 {"record"}, 404 for an unknown id.
    const entry = [...records.values()].find((r) => r.id === path[3]);
    if (req.method === 'PUT' && entry) {
      entry.content = body.content ?? '';
      return json(res, 200, { record: entry });
    }
    return json(res, 404, { error: 'not found' });
  });
  return Object.assign(fake, { records });
}

const TOKEN = 'conformance-example-token-5e2a';

/** Not a registered provider: test/providers/example.test.ts runs this row itself. */
export const exampleConformance: ConformanceTable = {
  example: {
    async start() {
      const fake = await startExample({ token: TOKEN, zone: 'example.com' });
      return {
        ...httpFake(fake),
        hosts: ['office.example.com'],
        entry: (credentials) => ({ type: 'example', endpoint: fake.url, token: credentials === 'right' ? TOKEN : 'wrong-example-token', hosts: ['office.example.com'] }),
        secrets: [TOKEN],
      };
    },
  },
};
