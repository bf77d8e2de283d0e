/**
 * `npm run bench`: ddnsd's footprint, time to first update, scale, detection
 * cost, status server throughput and a side-by-side run with Debian's
 * ddclient, all against the local fakes on 127.0.0.1 with a configurable
 * latency. Each figure is the median of several runs. Prints a table, writes
 * bench/results.json and the results section of docs/performance.md (a run
 * of some sections only, or with --no-docs, writes bench/results-partial.json).
 *
 *   npm run bench -- [--latency 20] [--runs 3] [--cycles 5000] [--duration 10] [--bin dist/bundle/bin.cjs]
 *                    [--only footprint,ttfu,scale,detect,server,ddclient,daemon,image] [--no-docs] [--no-install]
 *
 * As root it first installs Debian's ddclient and GNU time when missing
 * (bench/install-tools.sh; ddclient's daemon is never started).
 * Every loop is bounded in count and every child process in time; nothing
 * but 127.0.0.1 is contacted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem, tmpdir, release, uptime } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDetector } from '../src/detect/index.js';
import { resolveSource, type Source as DetectSource } from '../src/detect/sources.js';
import { NODE_FLAGS } from '../src/base/v8.js';
import { USER_AGENT, VERSION } from '../src/base/version.js';
import type { FootprintResult } from './footprint-child.js';
import { selfSigned, startFront } from '../test/helpers/front.js';
import { CF_TOKEN, DYN_PASS, DYN_USER, startSource, startWorld, V4, V4_NEXT, ZONE, writeWorldConfig, type Layout, type World } from './world.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC_BIN = join(ROOT, 'dist/src/bin.js');
/** The single executable for this machine (npm run build:sea); measured beside the npm-installed command when present. */
const SEA_BIN = join(ROOT, `dist/sea/ddnsd-linux-${process.arch}`);
const CHILD = join(ROOT, 'dist/bench/footprint-child.js');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const MiB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    cycles: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '10' },
    only: { type: 'string' },
    bin: { type: 'string' },
    'no-docs': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
  },
});
/** What users run (the package's bin and the image): the bundle; --bin measures another build, e.g. an older one. */
const BIN = resolve(args.bin ?? join(ROOT, 'dist/bundle/bin.cjs'));
const LATENCY = Number(args.latency);
const RUNS = Math.max(1, Math.min(15, Number(args.runs)));
const CYCLES = Math.max(10, Math.min(10_000, Number(args.cycles)));
const DURATION_S = Math.max(1, Math.min(60, Number(args.duration)));
const SECTIONS = ['footprint', 'ttfu', 'scale', 'detect', 'server', 'ddclient', 'daemon', 'image'];
const ONLY = new Set((args.only ?? SECTIONS.join(',')).split(','));

// ---------------------------------------------------------------- helpers

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ddnsd-bench-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Timed {
  code: number | null;
  wallMs: number;
  /** Peak resident set of the process, from GNU time (undefined without it). */
  peakRssMiB: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`), timing it from spawn to exit. */
function timed(cmd: string, argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Timed> {
  const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const rssFile = join(options.cwd, `.rss-${process.hrtime.bigint()}`);
  const [file, list] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...argv]] : [cmd, argv];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(file, list, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      let peakRssMiB: number | undefined;
      if (GNU_TIME && existsSync(rssFile)) {
        const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        if (Number.isFinite(kib)) peakRssMiB = kib / 1024;
        rmSync(rssFile, { force: true });
      }
      resolvePromise({ code, wallMs, peakRssMiB, stdout, stderr });
    });
  });
}

/** The environment for children: no proxies, no inherited ddnsd or log settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C', LOG_FORMAT: 'json', ...extra };
}

function note(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

// ---------------------------------------------------------------- results

type Verdict = 'met' | 'missed' | 'info';

interface Row {
  section: string;
  figure: string;
  value: string;
  goal: string;
  verdict: Verdict;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};
const row = (section: string, figure: string, value: string, goal = '', verdict: Verdict = 'info'): void => {
  rows.push({ section, figure, value, goal, verdict });
};
const judge = (ok: boolean): Verdict => (ok ? 'met' : 'missed');

// ---------------------------------------------------------------- 1. footprint

const ONE_EACH: Layout = { duckEntries: 1, duckPerEntry: 1, dynEntries: 1, dynPerEntry: 1, cfHosts: 1, cfOther: 0 };

/** How the services and the image run ddnsd (src/v8.ts): a smaller young generation and a heap tuned for size. */
const CONTAINER_FLAGS = [...NODE_FLAGS];
/** Other settings measured beside them in the idle daemon section (not judged). */
const DAEMON_CANDIDATES = [['--max-semi-space-size=2'], ['--max-semi-space-size=1'], ['--optimize-for-size']];
/** What NODE_OPTIONS may carry of them (Node.js refuses --optimize-for-size there): the image's and the executable's. */
const NODE_OPTIONS_FLAGS = NODE_FLAGS.filter((f) => f.startsWith('--max-semi-space-size'));

async function footprint(): Promise<void> {
  await footprintWith([], 'Footprint (`ddnsd run`)');
  await footprintWith(CONTAINER_FLAGS, `Footprint (container: \`node ${CONTAINER_FLAGS.join(' ')}\`)`);
}

async function footprintWith(flags: string[], S: string): Promise<void> {
  // Memory and CPU do not depend on waiting: these cycles run without added
  // latency, so 2,000 cycles take seconds rather than over a minute.
  const runs: FootprintResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    const world = await startWorld(0, ONE_EACH);
    const dir = tmp();
    try {
      const config = writeWorldConfig(world, dir);
      const out = await timed(process.execPath, [...flags, '--expose-gc', CHILD, config, world.source.url, String(CYCLES)], { cwd: dir, timeoutMs: 300_000 });
      if (out.code !== 0) throw new Error(`footprint child failed (${out.code}): ${out.stderr.slice(-2000)}`);
      runs.push(JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as FootprintResult);
    } finally {
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const m = (pick: (f: FootprintResult) => number): number => median(runs.map(pick));
  const startRss = m((f) => f.start.rss) / MiB;
  const noChangeRss = m((f) => f.noChange.rss) / MiB;
  const changeRss = m((f) => f.change.rss) / MiB;
  const heap = {
    start: m((f) => f.start.heapUsed) / MiB,
    noChangeHalf: m((f) => f.noChangeHalf.heapUsed) / MiB,
    noChange: m((f) => f.noChange.heapUsed) / MiB,
    changeHalf: m((f) => f.changeHalf.heapUsed) / MiB,
    change: m((f) => f.change.heapUsed) / MiB,
  };
  const fds = { start: m((f) => f.start.fds), noChange: m((f) => f.noChange.fds), change: m((f) => f.change.fds) };
  const cpu = m((f) => f.cpuPerNoChangeMs);
  const cpuChange = m((f) => f.cpuPerChangeMs);
  const unexpected = Math.max(...runs.map((f) => f.unexpected));
  const bare = await timed(process.execPath, ['-e', 'setTimeout(() => {}, 200)'], { cwd: tmpdir() });
  // Growth: the second half of each phase against its first half (after GC), so warm-up does not count.
  const growthNoChange = heap.noChange - heap.noChangeHalf;
  const growthChange = heap.change - heap.changeHalf;
  results[flags.length ? 'footprintContainer' : 'footprint'] = { flags, runs, median: { startRss, noChangeRss, changeRss, heap, fds, cpu, cpuChange }, unexpected };
  row(S, 'RSS after start (daemon with status server)', `${round(startRss)} MiB`, '< 60 MiB', judge(startRss < 60));
  if (bare.peakRssMiB !== undefined && flags.length === 0) row(S, 'of which: Node.js itself (an empty script, for scale)', `${round(bare.peakRssMiB)} MiB`);
  row(S, `RSS after ${CYCLES} no-change / ${CYCLES} change cycles`, `${round(noChangeRss)} / ${round(changeRss)} MiB`, '< 60 MiB', judge(Math.max(noChangeRss, changeRss) < 60));
  row(
    S,
    'heap used: start → half → end of no-change → half → end of change',
    `${[heap.start, heap.noChangeHalf, heap.noChange, heap.changeHalf, heap.change].map((x) => round(x, 2)).join(' → ')} MiB`,
  );
  const rssHalf = { noChange: m((f) => f.noChangeHalf.rss) / MiB, change: m((f) => f.changeHalf.rss) / MiB };
  row(
    S,
    'RSS growth over the second half of each phase',
    `${round(noChangeRss - rssHalf.noChange)} / ${round(changeRss - rssHalf.change)} MiB`,
    'no growth (< 1 MiB)',
    judge(Math.max(noChangeRss - rssHalf.noChange, changeRss - rssHalf.change) < 1),
  );
  row(
    S,
    'heap growth over the second half of each phase',
    `${round(growthNoChange * 1024, 0)} KiB / ${round(growthChange * 1024, 0)} KiB`,
    'no growth (< 512 KiB)',
    judge(Math.max(growthNoChange, growthChange) < 0.5),
  );
  row(
    S,
    'file descriptors: start / after no-change / after change',
    `${fds.start} / ${fds.noChange} / ${fds.change}`,
    'no growth',
    judge(fds.change <= fds.start + 2 && fds.noChange <= fds.start + 2),
  );
  row(S, 'CPU per no-change cycle (detect, compare, write state)', `${round(cpu, 2)} ms`, '< 5 ms', judge(cpu < 5));
  row(S, 'CPU per change cycle (3 providers updated)', `${round(cpuChange, 2)} ms`);
  if (unexpected > 0) row(S, 'cycles that did not do what was expected', String(unexpected), '0', 'missed');
}

// ---------------------------------------------------------------- 2. time to first update

async function timeToFirstUpdate(): Promise<void> {
  const walls: number[] = [];
  const beyond: number[] = [];
  const rss: number[] = [];
  let trips = 0;
  for (let r = 0; r < Math.max(RUNS, 5); r++) {
    const world = await startWorld(LATENCY, ONE_EACH);
    const dir = tmp();
    try {
      const config = writeWorldConfig(world, dir);
      const out = await timed(process.execPath, [BIN, 'once', '-c', config], { cwd: dir, timeoutMs: 30_000 });
      if (out.code !== 0) throw new Error(`ddnsd once failed (${out.code}): ${out.stderr.slice(-2000)}`);
      const req = world.providerRequests();
      // Providers are asked at once, each entry's requests one after another: the
      // critical path is the detection plus the busiest provider's requests.
      trips = 1 + Math.max(req.duckdns, req.dyndns2, req.cloudflare);
      walls.push(out.wallMs);
      beyond.push(out.wallMs - trips * LATENCY);
      if (out.peakRssMiB !== undefined) rss.push(out.peakRssMiB);
    } finally {
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const nodeStart = median(await Promise.all([0, 1, 2].map(async () => (await timed(process.execPath, ['-e', ''], { cwd: tmpdir() })).wallMs)));
  const wall = median(walls);
  const extra = median(beyond);
  results.ttfu = { walls, beyond, roundTrips: trips, latencyMs: LATENCY, nodeStartMs: nodeStart, peakRssMiB: rss };
  const S = 'Time to first update';
  row(S, '`ddnsd once`, 1 host each at DuckDNS, dyndns2, Cloudflare: process start → exit', `${round(wall, 0)} ms`);
  row(S, `beyond the latency (${trips} round trips × ${LATENCY} ms on the critical path)`, `${round(extra, 0)} ms`, '< 400 ms', judge(extra < 400));
  row(S, 'of which: Node.js starting an empty script', `${round(nodeStart, 0)} ms`);
  if (rss.length) row(S, 'peak RSS of `ddnsd once`', `${round(median(rss))} MiB`);
}

// ---------------------------------------------------------------- 3. scale

const SCALE: Layout = { duckEntries: 20, duckPerEntry: 20, dynEntries: 20, dynPerEntry: 20, cfHosts: 200, cfOther: 100 };

async function scale(): Promise<void> {
  const minimum = SCALE.duckEntries + SCALE.dynEntries + 2; // one per entry; Cloudflare: one listing page and one batch
  const change: { wallMs: number; requests: ReturnType<World['providerRequests']>; peakRssMiB: number | undefined; confirmed: boolean }[] = [];
  const first: number[] = [];
  const idle: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const world = await startWorld(LATENCY, SCALE);
    const dir = tmp();
    try {
      const config = writeWorldConfig(world, dir);
      const once = async (): Promise<Timed> => {
        const out = await timed(process.execPath, [BIN, 'once', '-c', config], { cwd: dir, timeoutMs: 60_000 });
        if (out.code !== 0) throw new Error(`ddnsd once (scale) failed (${out.code}): ${out.stderr.slice(-2000)}`);
        return out;
      };
      first.push((await once()).wallMs);
      world.source.answer = V4_NEXT;
      const before = world.providerRequests();
      const out = await once();
      const after = world.providerRequests();
      const requests = {
        duckdns: after.duckdns - before.duckdns,
        dyndns2: after.dyndns2 - before.dyndns2,
        cloudflare: after.cloudflare - before.cloudflare,
        total: after.total - before.total,
      };
      const confirmed =
        world.duckHosts.flat().every((h) => world.duck.records.get(h)?.ipv4 === V4_NEXT) &&
        world.dynHosts.flat().every((h) => world.dyn.records.get(h)?.ipv4 === V4_NEXT) &&
        world.cfHosts.every((h) => world.cf.find(h, 'A')[0]?.content === V4_NEXT);
      change.push({ wallMs: out.wallMs, requests, peakRssMiB: out.peakRssMiB, confirmed });
      const quiet = world.providerRequests().total;
      await once();
      idle.push(world.providerRequests().total - quiet);
    } finally {
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const wall = median(change.map((c) => c.wallMs));
  const total = median(change.map((c) => c.requests.total));
  const cf = median(change.map((c) => c.requests.cloudflare));
  const idleMax = Math.max(...idle);
  const allConfirmed = change.every((c) => c.confirmed);
  const rss = change.map((c) => c.peakRssMiB).filter((x): x is number => x !== undefined);
  results.scale = { layout: SCALE, latencyMs: LATENCY, minimum, first, change, idle };
  const S = 'Scale (1,000 hosts)';
  row(
    S,
    '`ddnsd once` after the address changed: start → every host confirmed',
    `${round(wall, 0)} ms${allConfirmed ? '' : ' (NOT all confirmed)'}`,
    '< 5 s',
    judge(wall < 5000 && allConfirmed),
  );
  row(
    S,
    'provider requests for the change (DuckDNS / dyndns2 / Cloudflare)',
    `${total} (${median(change.map((c) => c.requests.duckdns))} / ${median(change.map((c) => c.requests.dyndns2))} / ${cf})`,
    `≤ ${Math.floor(minimum * 1.1)} (minimum ${minimum} + 10%)`,
    judge(total <= minimum * 1.1),
  );
  row(S, 'provider requests when nothing changed', String(idleMax), '0', judge(idleMax === 0));
  row(S, 'first run (every host sent once, Cloudflare records created)', `${round(median(first), 0)} ms`);
  if (rss.length) row(S, 'peak RSS of `ddnsd once` with 1,000 hosts', `${round(median(rss))} MiB`);
}

// ---------------------------------------------------------------- 4. detection

async function detection(): Promise<void> {
  const sources = await Promise.all([0, 1, 2].map(() => startSource(LATENCY)));
  const resolved = sources.map((s) => resolveSource(`${s.url}/`, 'ipv4')) as DetectSource[];
  const detector = createDetector({ sources: { ipv4: resolved }, agree: 2, timeoutMs: 5000, userAgent: USER_AGENT });
  const times: number[] = [];
  const reqs: number[] = [];
  const bytes: number[] = [];
  try {
    await detector.detect('ipv4'); // connections opened once, as in a running daemon
    for (let i = 0; i < 20; i++) {
      const r0 = sources.reduce((n, s) => n + s.detections(), 0);
      const b0 = sources.reduce((n, s) => n + s.traffic().bytesIn + s.traffic().bytesOut, 0);
      const t0 = performance.now();
      const d = await detector.detect('ipv4');
      times.push(performance.now() - t0);
      if (d.address !== V4) throw new Error(`detection gave ${d.address ?? d.error}`);
      await sleep(LATENCY + 20); // let a cancelled third request finish before counting
      reqs.push(sources.reduce((n, s) => n + s.detections(), 0) - r0);
      bytes.push(sources.reduce((n, s) => n + s.traffic().bytesIn + s.traffic().bytesOut, 0) - b0);
    }
  } finally {
    await detector.close();
    await Promise.all(sources.map((s) => s.close()));
  }
  const time = median(times);
  const perSource = median(reqs) / 3;
  results.detection = { times, requests: reqs, bytes, latencyMs: LATENCY, sources: 3, agree: 2 };
  const S = 'Detection';
  row(S, 'requests per detection (3 sources, 2 must agree)', `${median(reqs)} (${round(perSource, 2)} per source)`, '1 per source', judge(perSource <= 1));
  row(S, 'bytes per detection, both directions, all sources', `${median(bytes)} B`, 'small');
  row(S, 'time per detection beyond the latency', `${round(time - LATENCY, 1)} ms`, '< 50 ms', judge(time - LATENCY < 50));
}

// ---------------------------------------------------------------- 5. status server

async function statusServer(): Promise<void> {
  const world = await startWorld(LATENCY, ONE_EACH);
  world.source.flip = true; // every cycle updates all three providers
  const dir = tmp();
  const config = writeWorldConfig(world, dir, { interval: '1s' });
  const daemon = spawn(process.execPath, [BIN, 'run', '-c', config], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      url = /Status page on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)?.[1];
      if (!url) await sleep(50);
    }
    if (!url) throw new Error(`ddnsd run did not start: ${log.slice(-2000)}`);
    const base = url;
    const cycleStats = async (): Promise<{ sum: number; count: number }> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const sum = Number(/^ddnsd_cycle_duration_seconds_sum (\S+)/m.exec(text)?.[1] ?? 0);
      const count = Number(/^ddnsd_cycle_duration_seconds_count (\S+)/m.exec(text)?.[1] ?? 0);
      return { sum, count };
    };
    const meanCycle = (a: { sum: number; count: number }, b: { sum: number; count: number }): number => (b.count > a.count ? ((b.sum - a.sum) / (b.count - a.count)) * 1000 : NaN);

    await sleep(1500);
    const i0 = await cycleStats();
    await sleep(DURATION_S * 1000);
    const i1 = await cycleStats();
    const idleCycle = meanCycle(i0, i1);

    /** autocannon against `path` for DURATION_S, as fast as it goes or at `rate` requests per second in all. */
    const load = async (path: string, rate?: number): Promise<{ rps: number; p99: number; errors: number; non2xx: number; cycleMs: number; cycles: number }> => {
      const c0 = await cycleStats();
      const out = await timed(process.execPath, [AUTOCANNON, '-c', '10', '-d', String(DURATION_S), ...(rate ? ['-R', String(rate)] : []), '-j', `${base}${path}`], {
        cwd: dir,
        env: cleanEnv(),
        timeoutMs: (DURATION_S + 30) * 1000,
      });
      const c1 = await cycleStats();
      const json = JSON.parse(out.stdout) as { requests: { average: number }; latency: { p99: number }; errors: number; non2xx: number };
      return { rps: json.requests.average, p99: json.latency.p99, errors: json.errors, non2xx: json.non2xx, cycleMs: meanCycle(c0, c1), cycles: c1.count - c0.count };
    };
    const status = await load('/api/status');
    const health = await load('/healthz');
    const atGoal = await load('/api/status', 5000);
    results.server = { durationS: DURATION_S, connections: 10, idleCycleMs: idleCycle, status, healthz: health, atGoal };
    const S = 'Status server';
    for (const [name, r] of [
      ['/api/status', status],
      ['/healthz', health],
    ] as const) {
      row(
        S,
        `${name}: requests per second (autocannon, 10 connections, ${DURATION_S} s, cycles every second)`,
        `${Math.round(r.rps)} req/s (p99 ${r.p99} ms, ${r.errors + r.non2xx} failed)`,
        '> 5,000 req/s',
        judge(r.rps > 5000 && r.errors === 0),
      );
    }
    const worst = Math.max(status.cycleMs, health.cycleMs);
    const idleCycles = i1.count - i0.count;
    const fewest = Math.min(status.cycles, health.cycles, atGoal.cycles);
    row(S, `cycles run in ${DURATION_S} s (interval 1 s): idle / under load`, `${idleCycles} / ${fewest}`, 'on schedule (≥ 90% of idle)', judge(fewest >= 0.9 * idleCycles));
    row(S, 'mean cycle duration (3 providers updated each): idle / at full load', `${round(idleCycle)} / ${round(worst)} ms (×${round(worst / idleCycle, 2)})`);
    row(
      S,
      'mean cycle duration: idle / at 5,000 req/s on /api/status',
      `${round(idleCycle)} / ${round(atGoal.cycleMs)} ms (×${round(atGoal.cycleMs / idleCycle, 2)})`,
      'unaffected (< 1.5× idle)',
      judge(atGoal.cycleMs < 1.5 * idleCycle),
    );
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('close', r));
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- 6. start-up and ddclient

interface OneShot {
  tool: string;
  task: string;
  wallMs: number;
  peakRssMiB: number | undefined;
  requests: number;
  detections: number;
  confirmed: boolean;
}

/** ddclient's config for the 100 hosts: the local fake only, plain http, a static address, no daemon, no syslog. */
function ddclientConfig(world: World, dir: string): string {
  const conf = join(dir, 'ddclient.conf');
  const lines = ['daemon=0', 'syslog=no', 'ssl=no', `use=ip, ip=${V4}`, 'protocol=dyndns2', `server=${new URL(world.dyn.url).host}`];
  writeFileSync(conf, [...lines, `login=${DYN_USER}`, `password='${DYN_PASS}'`, world.dynHosts.flat().join(','), ''].join('\n'), { mode: 0o600 });
  return conf;
}

/** The 100 hosts of one run at one provider: where the requests are counted, and ddclient's config for them. */
interface Bed {
  world: World;
  /** Requests the provider received so far. */
  requests(): number;
  /** Every host holds V4 at the provider. */
  confirmed(): boolean;
  /** ddclient's config for the hosts, written in the run's folder; returns its path. */
  ddclientConfig(): string;
  /** The secret to redact from a failing run's output. */
  secret: string;
  close(): Promise<void>;
}

type Kind = 'dyndns2' | 'cloudflare';
/** The address the Cloudflare hosts' A records hold before a run (documentation range, never contacted). */
const CF_OLD = '192.0.2.1';

async function dyndns2Bed(dir: string): Promise<Bed> {
  const world = await startWorld(LATENCY, { duckEntries: 0, duckPerEntry: 0, dynEntries: 1, dynPerEntry: 100, cfHosts: 0, cfOther: 0 });
  const hosts = world.dynHosts.flat();
  return {
    world,
    secret: DYN_PASS,
    requests: () => world.dyn.requests.length,
    confirmed: () => hosts.every((h) => world.dyn.records.get(h)?.ipv4 === V4),
    ddclientConfig: () => ddclientConfig(world, dir),
    close: () => world.close(),
  };
}

/**
 * One Cloudflare zone with the 100 hosts' A records at CF_OLD: ddclient changes
 * only records that exist (it fails with "No 'A' record at Cloudflare"), so
 * both tools start from them. ddclient speaks https only to Cloudflare
 * (ddclient.in builds `https://$server/...`), so it reaches the fake through a
 * TLS front that it trusts by ssl_ca_file; ddnsd speaks to the fake directly,
 * as trusting the front would take NODE_EXTRA_CA_CERTS (40 ms more per start).
 */
async function cloudflareBed(dir: string): Promise<Bed> {
  const world = await startWorld(LATENCY, { duckEntries: 0, duckPerEntry: 0, dynEntries: 0, dynPerEntry: 0, cfHosts: 100, cfOther: 0 });
  for (const name of world.cfHosts) world.cf.addRecord({ zone: ZONE, type: 'A', name, content: CF_OLD, ttl: 1, proxied: false });
  const tls = selfSigned(dir);
  const front = await startFront({ target: world.cf.url, tls });
  const config = (): string => {
    const conf = join(dir, 'ddclient.conf');
    const server = `${new URL(front.url).host}/client/v4`;
    const lines = ['daemon=0', 'syslog=no', `ssl_ca_file=${tls.certFile}`, `use=ip, ip=${V4}`, 'protocol=cloudflare', `zone=${ZONE}`, `server=${server}`];
    writeFileSync(conf, [...lines, 'login=token', `password='${CF_TOKEN}'`, world.cfHosts.join(','), ''].join('\n'), { mode: 0o600 });
    return conf;
  };
  return {
    world,
    secret: CF_TOKEN,
    requests: () => world.cf.requests.length,
    confirmed: () =>
      world.cfHosts.every((h) => {
        const records = world.cf.find(h, 'A');
        return records.length === 1 && records[0]?.content === V4;
      }),
    ddclientConfig: config,
    close: async () => {
      await front.close();
      await world.close();
    },
  };
}

/**
 * One world per run and tool: the first `once` updates the 100 hosts (one
 * dyndns2 request; at Cloudflare, what each tool sends for them), the second
 * finds nothing to do (state or cache current). Cloudflare's tasks are named
 * `cloudflare update` and `cloudflare nothing`.
 */
async function oneShots(kind: Kind, tool: string, command: string[], env?: NodeJS.ProcessEnv): Promise<OneShot[]> {
  const dir = tmp();
  const bed = kind === 'dyndns2' ? await dyndns2Bed(dir) : await cloudflareBed(dir);
  try {
    const argv =
      tool === 'ddclient'
        ? ['-file', bed.ddclientConfig(), '-cache', join(dir, 'ddclient.cache'), '-foreground', '-daemon=0', '-noquiet']
        : [...command.slice(1), 'once', '-c', writeWorldConfig(bed.world, dir)];
    const out: OneShot[] = [];
    for (const task of ['update', 'nothing']) {
      const before = { requests: bed.requests(), detections: bed.world.source.detections() };
      // ddclient asks Cloudflare three questions per host, one at a time: minutes on a loaded machine.
      const run = await timed(command[0] as string, argv, { cwd: dir, timeoutMs: kind === 'dyndns2' ? 30_000 : 180_000, ...(env ? { env } : {}) });
      const confirmed = run.code === 0 && bed.confirmed();
      if (!confirmed) note(`${tool} (${kind}, ${task}) did not confirm every host (exit ${run.code}): ${run.stderr.slice(-500).replaceAll(bed.secret, '[redacted]')}`);
      out.push({
        tool,
        task: kind === 'dyndns2' ? task : `${kind} ${task}`,
        wallMs: run.wallMs,
        peakRssMiB: run.peakRssMiB,
        confirmed,
        requests: bed.requests() - before.requests,
        detections: bed.world.source.detections() - before.detections,
      });
    }
    return out;
  } finally {
    await bed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Commands that do not touch the network (and `health` against a running daemon), timed as one-shot processes. */
async function quickCommands(bins: Record<string, string>): Promise<OneShot[]> {
  const world = await startWorld(LATENCY, ONE_EACH);
  const dir = tmp();
  // A fixed port, so that `health -c config` finds the daemon where the config says.
  const config = writeWorldConfig(world, dir, { listen: `127.0.0.1:${await freePort()}` });
  const daemon = spawn(process.execPath, [bins.ddnsd as string, 'run', '-c', config], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const out: OneShot[] = [];
  try {
    const url = await daemonUrl(daemon);
    const listen = new URL(url).host;
    const tasks: [string, string[], NodeJS.ProcessEnv?][] = [
      ['node', ['-e', '']],
      ['--version', ['--version']],
      ['--help', ['--help']],
      ['check', ['check', '-c', config]],
      ['health', ['health', '-c', config]],
      ['health (DDNSD_LISTEN set, as in the container)', ['health'], cleanEnv({ DDNSD_LISTEN: listen })],
    ];
    for (let r = 0; r < Math.max(RUNS, 5); r++) {
      for (const [tool, bin] of Object.entries(bins)) {
        for (const [task, argv, env] of tasks) {
          if (task === 'node' && tool !== 'ddnsd') continue;
          const run = await timed(process.execPath, task === 'node' ? argv : [bin, ...argv], { cwd: dir, ...(env ? { env } : {}), timeoutMs: 30_000 });
          const ok = run.code === 0 && (!task.startsWith('health') || run.stdout.includes('healthy'));
          if (!ok) note(`${tool} ${task} failed (exit ${run.code}): ${run.stderr.slice(-500)}`);
          out.push({ tool, task, wallMs: run.wallMs, peakRssMiB: run.peakRssMiB, requests: 0, detections: 0, confirmed: ok });
        }
      }
    }
    return out;
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('close', r));
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** The status page's address, from the log of a starting `ddnsd run`. */
async function daemonUrl(daemon: ReturnType<typeof spawn>): Promise<string> {
  let log = '';
  daemon.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 200; i++) {
    const url = /Status page on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)?.[1];
    if (url) return url;
    await sleep(50);
  }
  throw new Error(`ddnsd run did not start: ${log.slice(-2000)}`);
}

const NO_CACHE = 'ddnsd (no code cache)';
const SEA = 'ddnsd (single executable)';

/** The medians of one-shot runs of a tool and task, and whether every run confirmed every host. */
interface Medians {
  wall: (tool: string, task: string) => number;
  rss: (tool: string, task: string) => number;
  allOk: (tool: string, task: string) => boolean;
}

/** The start-up goals, each a ratio to Node.js's floor measured in the same rounds. */
function startUpGoals(S: string, m: Medians & { floorWall: number; floorRss: number; ddclient: string | undefined }): void {
  const vsDdclient = (a: number): string => (m.ddclient ? `, ${round(a / m.wall(m.ddclient, 'update'), 2)}× ddclient` : '');
  for (const [tool, goal, words] of [
    ['ddnsd', 4.0, 'npm-installed, warm code cache'],
    [NO_CACHE, undefined, 'npm-installed, no code cache'],
    [SEA, 3.6, 'the single executable, warm code cache'],
  ] as const) {
    const a = m.wall(tool, 'update');
    if (!Number.isFinite(a)) continue;
    const ratio = a / m.floorWall;
    const ok = m.allOk(tool, 'update');
    row(
      S,
      `\`once\`, 100 dyndns2 hosts, ${words}: wall time / \`node -e 0\`${ok ? '' : ' (NOT all confirmed)'}`,
      `${round(a, 0)} ms = ${round(ratio, 2)}×${vsDdclient(a)}`,
      goal ? `≤ ${goal.toFixed(1)}×` : '',
      goal ? judge(ratio <= goal && ok) : 'info',
    );
    const r = m.rss(tool, 'update');
    if (Number.isFinite(r))
      row(
        S,
        `\`once\`, 100 dyndns2 hosts, ${words}: peak RSS above \`node -e 0\``,
        `${round(r)} MiB (floor + ${round(r - m.floorRss)})`,
        tool === 'ddnsd' ? '≤ floor + 21 MiB' : '',
        tool === 'ddnsd' ? judge(r - m.floorRss <= 21) : 'info',
      );
  }
}

/** The `once` runs of ddnsd and ddclient side by side: dyndns2, then Cloudflare with its goal. */
function versusDdclient(
  S: string,
  m: Medians & {
    pick: (tool: string, task: string, what: (x: OneShot) => number | undefined) => number;
    /** ddclient and its version, when installed. */
    ddclient: string | undefined;
  },
): void {
  for (const [task, words, asked] of [
    ['update', '100 dyndns2 hosts (ddnsd: 5 requests, at most 20 hosts each as Dyn documents; ddclient: one)', 'update requests'],
    ['nothing', 'nothing to do (state or cache current)', 'update requests'],
    ['cloudflare update', '100 Cloudflare hosts, each from a fresh state', 'API requests'],
    ['cloudflare nothing', '100 Cloudflare hosts, nothing to do (state or cache current)', 'API requests'],
  ] as const) {
    const [a, b] = [m.wall('ddnsd', task), m.wall('ddclient', task)];
    const ok = m.allOk('ddnsd', task) && (!m.ddclient || m.allOk('ddclient', task));
    const vs = m.ddclient ? `${round(a, 0)} / ${round(b, 0)} ms (×${round(a / b, 2)})` : `${round(a, 0)} ms`;
    row(S, `\`once\`, ${words}: wall time, ddnsd / ${m.ddclient ?? 'ddclient'}${ok ? '' : ' (NOT all confirmed)'}`, vs);
    const [ra, rb] = [m.rss('ddnsd', task), m.rss('ddclient', task)];
    if (Number.isFinite(ra)) row(S, `\`once\`, ${words}: peak RSS, ddnsd / ddclient`, m.ddclient ? `${round(ra)} / ${round(rb)} MiB (×${round(ra / rb, 2)})` : `${round(ra)} MiB`);
    const req = (tool: string): string => `${m.pick(tool, task, (x) => x.requests)} (+ ${m.pick(tool, task, (x) => x.detections)})`;
    row(S, `\`once\`, ${words}: ${asked} (+ detection requests), ddnsd / ddclient`, m.ddclient ? `${req('ddnsd')} / ${req('ddclient')}` : req('ddnsd'));
  }
  if (!m.ddclient) return;
  // ddclient looks the zone up, lists the host's record and patches it, host after host; ddnsd lists the zone once and sends one batch.
  const ratio = m.wall('ddnsd', 'cloudflare update') / m.wall('ddclient', 'cloudflare update');
  const ok = m.allOk('ddnsd', 'cloudflare update') && m.allOk('ddclient', 'cloudflare update');
  row(S, `\`once\`, 100 Cloudflare hosts: wall time, ddnsd / ddclient${ok ? '' : ' (NOT all confirmed)'}`, `${round(ratio, 3)}×`, '≤ 0.10× ddclient', judge(ratio <= 0.1 && ok));
}

async function sideBySide(): Promise<void> {
  const S = 'Start-up, side by side with ddclient';
  const DDCLIENT = ['/usr/sbin/ddclient', '/usr/bin/ddclient'].find((p) => existsSync(p));
  const version = DDCLIENT
    ? (/^Version:\s*(\S+)/m.exec(spawnSync('dpkg-query', ['-s', 'ddclient'], { encoding: 'utf8', env: cleanEnv() }).stdout ?? '')?.[1] ?? 'unknown')
    : undefined;
  if (!DDCLIENT) note('ddclient is not installed: apt-get install ddclient (see docs/performance.md); ddnsd alone is measured');
  // The code cache of one-shot commands in a folder of the bench's own, warmed by one run of each before the timed ones.
  const cacheHome = tmp();
  const warm = cleanEnv({ XDG_CACHE_HOME: cacheHome });
  const tools: [string, string[], NodeJS.ProcessEnv?][] = [
    ['ddnsd', [process.execPath, BIN], warm],
    [NO_CACHE, [process.execPath, BIN], cleanEnv({ DDNSD_CODE_CACHE: '0' })],
  ];
  if (existsSync(SEA_BIN)) tools.push([SEA, [SEA_BIN], warm]);
  if (DDCLIENT) tools.push(['ddclient', [DDCLIENT]]);
  for (const [tool, command, env] of tools) if (tool !== 'ddclient') await oneShots('dyndns2', tool, command, env);
  // The Cloudflare runs of the npm-installed command: a code cache of their own, made by a Cloudflare run, as a user of it has.
  const cfHome = tmp();
  const cfWarm = cleanEnv({ XDG_CACHE_HOME: cfHome });
  await oneShots('cloudflare', 'ddnsd', [process.execPath, BIN], cfWarm);
  const runs: OneShot[] = [];
  const floor: Timed[] = [];
  for (let r = 0; r < Math.max(RUNS, 5); r++) {
    // Rotate which goes first, so none always gets the warmer machine; Node.js's floor in every round.
    floor.push(await timed(process.execPath, ['-e', '0'], { cwd: tmpdir() }));
    for (let i = 0; i < tools.length; i++) {
      const [tool, command, env] = tools[(i + r) % tools.length] as [string, string[], NodeJS.ProcessEnv?];
      runs.push(...(await oneShots('dyndns2', tool, command, env)));
      if (tool === 'ddnsd' || tool === 'ddclient') runs.push(...(await oneShots('cloudflare', tool, command, tool === 'ddnsd' ? cfWarm : env)));
    }
  }
  rmSync(cacheHome, { recursive: true, force: true });
  rmSync(cfHome, { recursive: true, force: true });
  runs.push(...(await quickCommands({ ddnsd: BIN, 'ddnsd (dist/src, tsc)': TSC_BIN })));
  const pick = (tool: string, task: string, what: (x: OneShot) => number | undefined): number => {
    const xs = runs
      .filter((x) => x.tool === tool && x.task === task)
      .map(what)
      .filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : NaN;
  };
  const wall = (tool: string, task: string): number => pick(tool, task, (x) => x.wallMs);
  const rss = (tool: string, task: string): number => pick(tool, task, (x) => x.peakRssMiB);
  const allOk = (tool: string, task: string): boolean => runs.filter((x) => x.tool === tool && x.task === task).every((x) => x.confirmed);
  const floorWall = median(floor.map((x) => x.wallMs));
  const floorRss = median(floor.map((x) => x.peakRssMiB ?? NaN));
  results.ddclient = { version, hosts: 100, latencyMs: LATENCY, bin: BIN, runs, floor };
  row(S, "Node.js's floor: `node -e 0`, in the same rounds: wall time, peak RSS", `${round(floorWall, 0)} ms, ${round(floorRss)} MiB`);
  startUpGoals(S, { wall, rss, allOk, floorWall, floorRss, ddclient: DDCLIENT ? 'ddclient' : undefined });
  const TSC = 'ddnsd (dist/src, tsc)';
  versusDdclient(S, { wall, rss, allOk, pick, ddclient: DDCLIENT ? `ddclient ${version ?? ''}` : undefined });
  const GOALS: Record<string, number> = { '--version': 80, '--help': 80, health: 120, 'health (DDNSD_LISTEN set, as in the container)': 120 };
  for (const task of ['node', '--version', '--help', 'check', 'health', 'health (DDNSD_LISTEN set, as in the container)']) {
    const figure = task === 'node' ? 'Node.js starting an empty script, for scale' : `\`ddnsd ${task}\``;
    const goal = GOALS[task];
    const [a, t] = [wall('ddnsd', task), wall(TSC, task)];
    const ok = allOk('ddnsd', task);
    const value = `${round(a, 0)} ms, ${round(rss('ddnsd', task))} MiB${task === 'node' ? '' : ` (unbundled: ${round(t, 0)} ms, ${round(rss(TSC, task))} MiB)`}${ok ? '' : ' (FAILED)'}`;
    row(S, `${figure}: wall time, peak RSS`, value, goal ? `< ${goal} ms` : '', goal ? judge(a < goal && ok) : 'info');
  }
}

// ---------------------------------------------------------------- 7. the idle daemon

/** Resident memory of a process, from /proc. */
function rssOf(pid: number): number {
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kib / 1024;
}

/** Stops a child and waits for it, also when it has already exited. */
async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await closed;
}

const BARE_SERVER = 'require("http").createServer().listen(0, "127.0.0.1", () => console.log("up"))';

/** Node.js's own floor for a server: a bare http server listening, after a moment (`node -e`, or `command` made of it). */
async function bareServerRss(command: string[] = [process.execPath, '-e', BARE_SERVER]): Promise<number> {
  const child = spawn(command[0] as string, command.slice(1), {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    await sleep(700);
    return rssOf(child.pid as number);
  } finally {
    await stop(child);
  }
}

/** The fuse Node.js looks for in a single executable (scripts/sea/build.mjs injects the same). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * The bare http server made into a single executable from the pinned Node.js
 * binary that `npm run build:sea` made ddnsd's of (.cache/sea), in `dir`: the
 * executable's own floor, since a single executable maps more of its binary
 * than `node` does. Undefined without that binary or ddnsd's executable.
 */
function bareServerExecutable(dir: string): string | undefined {
  const pin = JSON.parse(readFileSync(join(ROOT, 'scripts/sea/node.json'), 'utf8')) as { version: string };
  const node = join(ROOT, `.cache/sea/node-linux-${process.arch}-${pin.version}/node`);
  if (!existsSync(node) || !existsSync(SEA_BIN)) return undefined;
  writeFileSync(join(dir, 'main.cjs'), BARE_SERVER);
  writeFileSync(join(dir, 'sea.json'), JSON.stringify({ main: 'main.cjs', output: 'blob', disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }));
  const out = join(dir, 'bare-server');
  const made = spawnSync(node, ['--experimental-sea-config', 'sea.json'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  copyFileSync(node, out);
  chmodSync(out, 0o755);
  const injected = spawnSync(process.execPath, [join(ROOT, 'node_modules/postject/dist/cli.js'), out, 'NODE_SEA_BLOB', join(dir, 'blob'), '--sentinel-fuse', SEA_FUSE], {
    cwd: dir,
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (made.status === 0 && injected.status === 0) return out;
  note(`the bare server could not be made into a single executable: ${String(made.stderr)}${String(injected.stderr)}`.slice(0, 2000));
  return undefined;
}

/** The daemon's variants: as from a terminal, as the services and the image start it, and the single executable. */
function daemonVariants(): [string, string[], NodeJS.ProcessEnv?][] {
  const variants: [string, string[], NodeJS.ProcessEnv?][] = [
    ['`ddnsd run`', [process.execPath, BIN]],
    [`services: \`node ${NODE_FLAGS.join(' ')}\``, [process.execPath, ...NODE_FLAGS, BIN]],
  ];
  for (const flags of DAEMON_CANDIDATES) variants.push([`measured: \`node ${flags.join(' ')}\``, [process.execPath, ...flags, BIN]]);
  if (existsSync(SEA_BIN))
    variants.push([`image: the single executable, \`NODE_OPTIONS=${NODE_OPTIONS_FLAGS.join(' ')}\``, [SEA_BIN], cleanEnv({ NODE_OPTIONS: NODE_OPTIONS_FLAGS.join(' ') })]);
  return variants;
}

async function idleDaemon(): Promise<void> {
  const S = 'Idle daemon (`ddnsd run`)';
  const variants = daemonVariants();
  const figures: Record<string, { start: number[]; after: number[] }> = {};
  const floor: number[] = [];
  const seaFloor: number[] = [];
  const seaDir = tmp();
  const bareSea = bareServerExecutable(seaDir);
  for (let r = 0; r < RUNS; r++) {
    floor.push(await bareServerRss());
    if (bareSea) seaFloor.push(await bareServerRss([bareSea]));
    for (const [name, command, env] of variants) {
      const world = await startWorld(LATENCY, ONE_EACH);
      const dir = tmp();
      const config = writeWorldConfig(world, dir);
      const daemon = spawn(command[0] as string, [...command.slice(1), 'run', '-c', config], { cwd: dir, env: env ?? cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
      try {
        const url = await daemonUrl(daemon);
        // The first cycle (detection and three updates) has run once /api/status shows the hosts updated.
        for (let i = 0; i < 100 && world.providerRequests().total < 3; i++) await sleep(50);
        await sleep(200);
        const f = (figures[name] ??= { start: [], after: [] });
        f.start.push(rssOf(daemon.pid as number));
        for (let i = 0; i < 100; i++) {
          for (const path of ['/', '/metrics']) {
            const res = await fetch(`${url}${path}`);
            await res.text();
            if (!res.ok) throw new Error(`${path} answered ${res.status}`);
          }
        }
        await sleep(500);
        f.after.push(rssOf(daemon.pid as number));
      } finally {
        await stop(daemon);
        await world.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  rmSync(seaDir, { recursive: true, force: true });
  const base = median(floor);
  const seaBase = seaFloor.length > 0 ? median(seaFloor) : undefined;
  results.idleDaemon = { bin: BIN, bareServerRss: floor, bareServerExecutableRss: seaFloor, figures };
  row(S, "Node.js's floor: a bare `http.createServer().listen(0)`, idle", `${round(base)} MiB`);
  if (seaBase !== undefined) row(S, "the single executable's floor: the same bare server made into a single executable of the same Node.js binary, idle", `${round(seaBase)} MiB`);
  for (const [name] of variants) {
    const f = figures[name] as { start: number[]; after: number[] };
    const [start, after] = [median(f.start), median(f.after)];
    const judged = !name.startsWith('measured');
    // The single executable is held to its own floor; its figure above node's is shown beside it.
    const own = name.startsWith('image:') && seaBase !== undefined ? seaBase : undefined;
    const floorOf = own ?? base;
    const which = own === undefined ? 'the floor' : "the single executable's floor";
    const beside = (rss: number): string => (own === undefined ? '' : `; node's floor + ${round(rss - base)}`);
    row(
      S,
      `${name}: RSS after the first cycle, above ${which}`,
      `${round(start)} MiB (floor + ${round(start - floorOf)}${beside(start)})`,
      judged ? '≤ floor + 24 MiB' : '',
      judged ? judge(start - floorOf <= 24) : 'info',
    );
    row(
      S,
      `${name}: RSS after 100 status page and 100 /metrics requests, above ${which}`,
      `${round(after)} MiB (floor + ${round(after - floorOf)}${beside(after)})`,
      judged ? '≤ floor + 32 MiB' : '',
      judged ? judge(after - floorOf <= 32) : 'info',
    );
  }
}

// ---------------------------------------------------------------- 8. the container image

async function image(): Promise<void> {
  const S = 'Container image';
  const nodeImage = process.env.DDNSD_BASE_IMAGE ?? 'localhost/ddnsd-node-base:24';
  const base = `${process.env.DDNSD_SEA_BASE_IMAGE ?? 'localhost/ddnsd-cc-base:bookworm'}-amd64`;
  const podman = (argv: string[], timeoutMs = 60_000): ReturnType<typeof spawnSync> =>
    spawnSync('podman', ['--runtime', 'runc', ...argv], { encoding: 'utf8', timeout: timeoutMs, env: process.env });
  if (podman(['image', 'exists', base]).status !== 0 || podman(['image', 'exists', nodeImage]).status !== 0) {
    note(`no podman or no base images ${nodeImage} and ${base} (npm run test:container prepares them); skipping the image size`);
    row(S, 'size', `not measured: podman and the base images ${nodeImage}, ${base} are needed`);
    return;
  }
  const tag = 'localhost/ddnsd-bench:latest';
  const CA = process.env.NODE_EXTRA_CA_CERTS;
  const platform = [
    '--platform',
    'linux/amd64',
    '--pull=never',
    '--build-arg',
    'BUILDPLATFORM=linux/amd64',
    '--build-arg',
    'TARGETPLATFORM=linux/amd64',
    '--build-arg',
    'TARGETARCH=amd64',
  ];
  const build = podman(
    [
      'build',
      ...platform,
      '--format',
      'docker',
      '--network=host',
      ...(CA ? ['--secret', `id=npm_ca,src=${CA}`] : []),
      '--build-arg',
      `NODE_IMAGE=${nodeImage}`,
      '--build-arg',
      `BASE_IMAGE=${base}`,
      '-t',
      tag,
      '-f',
      join(ROOT, 'Dockerfile'),
      ROOT,
    ],
    900_000,
  );
  if (build.status !== 0) {
    note(`podman build failed; the image size is not measured: ${String(build.stderr).slice(-2000)}`);
    row(S, 'size', 'not measured: podman build failed (see the bench output)');
    return;
  }
  const size = (ref: string): number => Number(String(podman(['image', 'inspect', '--format', '{{.Size}}', ref]).stdout).trim()) / 1e6;
  const [total, baseSize] = [size(tag), size(base)];
  // What a pull downloads: the layers gzip-compressed, as a registry holds them.
  const dir = tmp();
  let compressed = NaN;
  if (podman(['push', '--compress', tag, `dir:${join(dir, 'image')}`], 300_000).status === 0) {
    const manifest = JSON.parse(readFileSync(join(dir, 'image/manifest.json'), 'utf8')) as { layers: { size: number }[] };
    compressed = manifest.layers.reduce((n, l) => n + l.size, 0) / 1e6;
  }
  rmSync(dir, { recursive: true, force: true });
  results.image = { base, baseMB: baseSize, totalMB: total, compressedMB: compressed };
  row(S, `linux/amd64, the single executable on ${base}: unpacked / of which the base`, `${round(total)} / ${round(baseSize)} MB`, '< 120 MB', judge(total < 120));
  row(S, 'linux/amd64: its layers compressed (what a pull downloads)', `${round(compressed)} MB`);
  podman(['rmi', tag]);
}

// ---------------------------------------------------------------- main

function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: round(totalmem() / 1024 ** 3),
    os: `${process.platform} ${release()}`,
    node: process.version,
    ddnsd: VERSION,
    uptimeS: Math.round(uptime()),
  };
}

function table(): string {
  const mark = { met: '✓ met', missed: '✗ missed', info: '' };
  const lines = ['| section | figure | ddnsd | goal | |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.section} | ${r.figure} | ${r.value} | ${r.goal} | ${mark[r.verdict]} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(BIN) || !existsSync(TSC_BIN) || !existsSync(CHILD)) throw new Error('build first: npm run bench builds dist/ before running');
  if (ONLY.has('ddclient') && !args['no-install']) {
    // ddclient and GNU time from Debian when missing (as root; the daemon is never started).
    const install = spawnSync('sh', [join(ROOT, 'bench/install-tools.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
    if (install.status !== 0) note('could not install ddclient or GNU time; the sections that need them say so');
  }
  const startedAt = new Date();
  const loadBefore = loadavg();
  const sections: [string, () => Promise<void>][] = [
    ['footprint', footprint],
    ['ttfu', timeToFirstUpdate],
    ['scale', scale],
    ['detect', detection],
    ['server', statusServer],
    ['ddclient', sideBySide],
    ['daemon', idleDaemon],
    ['image', image],
  ];
  for (const [name, run] of sections) {
    if (!ONLY.has(name)) continue;
    note(`${name}…`);
    const t0 = performance.now();
    await run();
    note(`${name} done in ${round((performance.now() - t0) / 1000)} s`);
  }
  const loadAfter = loadavg();
  const info = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machine(),
    load: { before: loadBefore.map((x) => round(x, 2)), after: loadAfter.map((x) => round(x, 2)) },
    settings: { latencyMs: LATENCY, runs: RUNS, cycles: CYCLES, durationS: DURATION_S },
  };
  const md = table();
  process.stdout.write(`\n${md}\n\n`);
  const mc = info.machine;
  const header = `Run ${info.startedAt} on ${String(mc.cpu)} (${String(mc.cores)} cores, ${String(mc.memoryGiB)} GiB), ${String(mc.os)}, Node ${String(mc.node)}; latency ${LATENCY} ms, median of ${RUNS} runs; load average (1/5/15 min) ${info.load.before.join(' / ')} before, ${info.load.after.join(' / ')} after.`;
  process.stdout.write(`${header}\n`);
  // Only a full run replaces the committed results; a partial one goes beside them.
  const full = SECTIONS.every((x) => ONLY.has(x)) && !args['no-docs'];
  writeFileSync(join(ROOT, full ? 'bench/results.json' : 'bench/results-partial.json'), `${JSON.stringify({ ...info, rows, results }, null, 2)}\n`);
  const doc = join(ROOT, 'docs/performance.md');
  if (full && existsSync(doc)) {
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) writeFileSync(doc, `${text.slice(0, a + start.length)}\n${header}\n\n${md}\n${text.slice(b)}`);
  }
  const missed = rows.filter((r) => r.verdict === 'missed');
  note(missed.length ? `${missed.length} goal(s) missed: ${missed.map((r) => r.figure).join('; ')}` : 'every goal met');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
