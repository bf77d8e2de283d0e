/** The made-up Example DNS API of providers/_example/, to copy for a real provider's fake. */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer } from './server.js';

export interface FakeExample extends FakeServer {
  /** `name type` → record. */
  records: Map<string, { id: string; content: string }>;
}

export async function startExample(options: { token: string; zone: string }): Promise<FakeExample> {
  const records = new Map<string, { id: string; content: string }>();
  let next = 1;
  const json = (res: Parameters<Parameters<typeof startFake>[0]>[1], status: number, body: unknown): void =>
    send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
  const fake = await startFake((req, res) => {
    if (req.headers.authorization !== `Bearer ${options.token}`) return json(res, 401, { error: 'invalid token' });
    const body = req.body ? (JSON.parse(req.body) as { name?: string; type?: string; content?: string }) : {};
    if (req.method === 'GET' && req.url.pathname === '/records') {
      const record = records.get(`${req.url.searchParams.get('name')} ${req.url.searchParams.get('type')}`);
      return json(res, 200, { records: record ? [record] : [] });
    }
    if (req.method === 'POST' && req.url.pathname === '/records') {
      if (!body.name?.endsWith(`.${options.zone}`)) return json(res, 404, { error: 'no such zone' });
      const record = { id: `r${next++}`, content: body.content ?? '' };
      records.set(`${body.name} ${body.type}`, record);
      return json(res, 201, { record });
    }
    const id = /^\/records\/([^/]+)$/.exec(req.url.pathname)?.[1];
    const entry = [...records.values()].find((r) => r.id === id);
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
