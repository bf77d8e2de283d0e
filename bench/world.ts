/**
 * The benchmark's world: a local IP source and local DuckDNS, dyndns2 and
 * Cloudflare servers (the test fakes, which speak each protocol and count
 * requests), all on 127.0.0.1, each answer delayed by `latencyMs` to stand in
 * for the internet. Public addresses are data only; nothing else is contacted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCloudflare, type FakeCloudflare } from '../test/fakes/cloudflare.js';
import { startDuckDns, type FakeDuckDns } from '../test/fakes/duckdns.js';
import { startDyndns2, type FakeDyndns2 } from '../test/fakes/dyndns2.js';
import { send, startFake, type FakeServer } from '../test/fakes/server.js';

export const V4 = '81.2.69.160';
export const V4_NEXT = '81.2.69.161';
export const DUCK_TOKEN = 'bench-duck-token-7f3e9a1c';
export const DYN_USER = 'bench-user';
export const DYN_PASS = 'bench-pass-5c2d8e4f';
export const CF_TOKEN = 'bench-cf-token-1a2b3c4d5e';
export const ZONE = 'example.com';
export const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

/**
 * An IP source: answers `answer`, or in flip mode a different address on
 * every detection (so every cycle sees a change). `GET /mode/flip` and
 * `/mode/same` switch modes, so a child process can drive it.
 */
export interface Source extends FakeServer {
  answer: string;
  flip: boolean;
  /** Detection requests (path /). */
  detections(): number;
}

export async function startSource(latencyMs: number): Promise<Source> {
  let count = 0;
  const source = { answer: V4, flip: false } as Source;
  const fake = await startFake(
    (req, res) => {
      if (req.url.pathname === '/mode/flip' || req.url.pathname === '/mode/same') {
        source.flip = req.url.pathname === '/mode/flip';
        return send(res, 200, 'ok');
      }
      count += 1;
      if (source.flip) source.answer = source.answer === V4 ? V4_NEXT : V4;
      return send(res, 200, `${source.answer}\n`);
    },
    '127.0.0.1',
    { latencyMs },
  );
  return Object.assign(source, fake, { detections: () => count });
}

export interface Layout {
  duckEntries: number;
  duckPerEntry: number;
  dynEntries: number;
  dynPerEntry: number;
  cfHosts: number;
  /** Records in the Cloudflare zone besides the hosts' A records (MX, TXT, other names). */
  cfOther: number;
}

export interface World {
  latencyMs: number;
  layout: Layout;
  source: Source;
  duck: FakeDuckDns;
  dyn: FakeDyndns2;
  cf: FakeCloudflare;
  duckHosts: string[][];
  dynHosts: string[][];
  cfHosts: string[];
  /** Requests the providers received so far. */
  providerRequests(): { duckdns: number; dyndns2: number; cloudflare: number; total: number };
  close(): Promise<void>;
}

export async function startWorld(latencyMs: number, layout: Layout): Promise<World> {
  const duckHosts = Array.from({ length: layout.duckEntries }, (_, e) => Array.from({ length: layout.duckPerEntry }, (_, h) => `d${e}x${h}`));
  const dynHosts = Array.from({ length: layout.dynEntries }, (_, e) => Array.from({ length: layout.dynPerEntry }, (_, h) => `n${e}x${h}.dyn.example.net`));
  const cfHosts = Array.from({ length: layout.cfHosts }, (_, h) => `c${h}.${ZONE}`);
  const [source, duck, dyn, cf] = await Promise.all([
    startSource(latencyMs),
    startDuckDns({ token: DUCK_TOKEN, domains: duckHosts.flat(), latencyMs }),
    startDyndns2({
      username: DYN_USER,
      password: DYN_PASS,
      hosts: dynHosts.flat(),
      maxHosts: Math.max(20, layout.dynPerEntry),
      latencyMs,
      // ddclient says only `ddclient/3.10.0`; the side-by-side run needs the server to take it.
      agent: /^(ddclient\/[\d.]+|[A-Za-z0-9._-]+\/\d+\.\d+\.\d+ \S+)$/,
    }),
    startCloudflare({ tokens: { [CF_TOKEN]: [ZONE] }, zones: { [ZONE]: ZONE_ID }, latencyMs }),
  ]);
  for (let i = 0; i < layout.cfOther; i++) {
    cf.addRecord({ zone: ZONE, type: i % 2 ? 'TXT' : 'MX', name: `other${i}.${ZONE}`, content: `v=bench ${i}`, ttl: 300, proxied: false });
  }
  return {
    latencyMs,
    layout,
    source,
    duck,
    dyn,
    cf,
    duckHosts,
    dynHosts,
    cfHosts,
    providerRequests() {
      const r = { duckdns: duck.requests.length, dyndns2: dyn.requests.length, cloudflare: cf.requests.length };
      return { ...r, total: r.duckdns + r.dyndns2 + r.cloudflare };
    },
    close: async () => {
      await Promise.all([source, duck, dyn, cf].map((s) => s.close()));
    },
  };
}

/** A ddnsd config for this world, written to `dir/config.yaml`; returns its path. */
export function writeWorldConfig(world: World, dir: string, options: { interval?: string; listen?: string } = {}): string {
  const entries: string[] = [];
  for (const hosts of world.duckHosts) {
    entries.push(`  - type: duckdns\n    endpoint: ${world.duck.url}\n    token: ${DUCK_TOKEN}\n    hosts: [${hosts.join(', ')}]`);
  }
  for (const hosts of world.dynHosts) {
    entries.push(`  - type: dyndns2\n    endpoint: ${world.dyn.url}\n    username: ${DYN_USER}\n    password: ${DYN_PASS}\n    hosts: [${hosts.join(', ')}]`);
  }
  if (world.cfHosts.length > 0) {
    entries.push(`  - type: cloudflare\n    endpoint: ${world.cf.endpoint}\n    token: ${CF_TOKEN}\n    zone_id: ${ZONE_ID}\n    hosts: [${world.cfHosts.join(', ')}]`);
  }
  const yaml = `interval: ${options.interval ?? '1h'}
state: ./state.json
detect:
  ipv4: ["${world.source.url}/"]
  agree: 1
  timeout: 5s
server:
  listen: ${options.listen ?? '127.0.0.1:0'}
providers:
${entries.join('\n')}
`;
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}
