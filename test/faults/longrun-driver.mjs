// The long run: 10,000 cycles of the compiled ddnsd (dist/) on an injected clock,
// against a local echo source and a DuckDNS-protocol server that both flap.
// Run with --expose-gc; prints one JSON line of figures. Loopback only.
import { createServer } from 'node:http';
import { readdirSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../../dist/src/', import.meta.url);
const { readConfig, buildConfig } = await import(new URL('config/load.js', dist).href);
const { loadProviders } = await import(new URL('../providers/registry.js', dist).href);
const PROVIDERS = await loadProviders();
const { createRuntime } = await import(new URL('main.js', dist).href);
const { createLogger, createRedactor } = await import(new URL('base/log.js', dist).href);

const CYCLES = Number(process.env.CYCLES ?? 10_000);
const TOKEN = 'longrun-token-6a0f3e';
const ADDRESSES = ['81.2.69.160', '81.2.69.161', '81.2.69.162'];

let cycle = 0;
let providerRequests = 0;
const listen = (handler) =>
  new Promise((resolve) => {
    const server = createServer(handler).listen(0, '127.0.0.1', () => resolve(server));
  });
// The address flaps every 50 cycles; every 9th cycle the source answers garbage.
const echo = await listen((_req, res) => {
  res.end(cycle % 9 === 8 ? '<html>oops</html>' : `${ADDRESSES[Math.floor(cycle / 50) % ADDRESSES.length]}\n`);
});
// DuckDNS: every 4th request is a 503.
const duck = await listen((req, res) => {
  providerRequests += 1;
  if (providerRequests % 4 === 0) {
    res.statusCode = 503;
    res.end('busy');
    return;
  }
  const q = new URL(req.url, 'http://x').searchParams;
  res.end(q.get('token') === TOKEN ? `OK\n${q.get('ip')}\n\nUPDATED` : 'KO');
});

const dir = mkdtempSync(join(tmpdir(), 'ddnsd-longrun-'));
writeFileSync(
  join(dir, 'config.yaml'),
  `interval: 30s\ndetect:\n  ipv4: [http://127.0.0.1:${echo.address().port}/]\n  agree: 1\n` +
    `providers:\n  - type: duckdns\n    token: ${TOKEN}\n    endpoint: http://127.0.0.1:${duck.address().port}\n    hosts: [office, lab]\n`,
);
const config = buildConfig(readConfig({ env: {}, cwd: dir }), PROVIDERS);
let time = Date.parse('2026-01-01T00:00:00Z');
const clock = { now: () => time, sleep: async (ms) => void (time += ms) };
const redactor = createRedactor();
let logged = 0;
const log = createLogger({ format: 'json', level: 'info', redactor, write: (line) => (logged += line.length) });
const runtime = await createRuntime(config, { log, redactor, clock, retry: { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 } });

const fds = () => (process.platform === 'linux' ? readdirSync('/proc/self/fd').length : 0);
const sample = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external, buffers: m.arrayBuffers, fds: fds(), state: statSync(config.statePath).size };
};

const started = performance.now();
// A sample (after a full GC) every 5% of the run; the first tenth is warm-up.
const samples = [];
const outcomes = {};
for (cycle = 0; cycle < CYCLES; cycle++) {
  const report = await runtime.cycle(cycle + 1, new AbortController().signal);
  for (const h of report.hosts) outcomes[h.action] = (outcomes[h.action] ?? 0) + 1;
  time += 30_000;
  if ((cycle + 1) % (CYCLES / 20) === 0) samples.push({ cycle: cycle + 1, ...sample() });
}
await runtime.close();
echo.close();
duck.close();
process.stdout.write(
  `${JSON.stringify({
    cycles: CYCLES,
    ms: Math.round(performance.now() - started),
    samples,
    providerRequests,
    outcomes,
    history: runtime.state.history.length,
    logBytes: logged,
    gc: typeof globalThis.gc === 'function',
  })}\n`,
);
