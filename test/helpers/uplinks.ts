/**
 * Two internet links as two real uplinks, for test/uplinks.test.ts, which
 * bundles this file and runs it as `unshare -rn node uplinks.mjs office <bin>`:
 * a network namespace of its own (the office, where ddnsd runs) that starts a
 * second one (`unshare -n … internet`, the far side of both uplinks). Two veth
 * pairs join them, one per link, with loopback-range addresses only
 * (127.1.0.1 ↔ 127.1.0.2 for fiber, 127.2.0.1 ↔ 127.2.0.2 for LTE), so a
 * packet of one link crosses its own cable and a cable pulled (`ip link set
 * up1 down`) stops only that link. Both namespaces die with the office
 * process. The office prints one JSON line per `ddnsd once` and a last line
 * `{"done":true}`; nothing here waits on a clock but the overall bound.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startDuckDns } from '../fakes/duckdns.js';
import { startWhoAmI } from '../fakes/whoami.js';

export interface Uplink {
  name: string;
  /** The office's end of the cable (the link's `bind`). */
  dev: string;
  near: string;
  /** The far end, where the link's echo listens. */
  far: string;
  /** What the echo answers the link: its public address. */
  public: string;
}

export const UPLINKS: Uplink[] = [
  { name: 'fiber', dev: 'up1', near: '127.1.0.1', far: '127.1.0.2', public: '81.2.69.160' },
  { name: 'lte', dev: 'up2', near: '127.2.0.1', far: '127.2.0.2', public: '81.2.69.192' },
];

/** One `ddnsd once` in the office, and what the provider held after it. */
export interface Step {
  step: string;
  code: number | null;
  stdout: string;
  stderr: string;
  record: string | undefined;
  /** Every address sent to the provider so far, in order. */
  sent: string[];
  /** Each link as the state file keeps it after the check, and the link the name follows. */
  links: Record<string, { up: boolean; addresses: { ipv4?: string }; error?: string }>;
  follow: Record<string, string>;
}

export const TOKEN = 'uplinks-duck-token-4b9d';
/** The whole run, start to finish; the test's own bound is above it. */
const BOUND_MS = 100_000;

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
};

/**
 * Loopback-range addresses on a cable: 127.0.0.0/8 must not all be local (only
 * 127.0.0.1 stays so), and the kernel must route such addresses off lo.
 */
function allowLoopbackRange(): void {
  ip('link', 'set', 'lo', 'up');
  ip('route', 'del', 'local', '127.0.0.0/8', 'dev', 'lo', 'table', 'local');
  writeFileSync('/proc/sys/net/ipv4/conf/all/route_localnet', '1');
}

/** The far side: its ends of the cables, then one echo per link; prints the echoes' URLs, exits when stdin closes. */
async function internet(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ns\n');
  for await (const line of lines) {
    if (line !== 'cables') continue;
    allowLoopbackRange();
    const urls: Record<string, string> = {};
    for (const u of UPLINKS) {
      ip('addr', 'add', `${u.far}/24`, 'dev', `${u.dev}-far`);
      ip('link', 'set', `${u.dev}-far`, 'up');
      urls[u.name] = (await startWhoAmI({ [u.near]: u.public }, u.far)).url;
    }
    process.stdout.write(`${JSON.stringify(urls)}\n`);
  }
  process.exit(0);
}

/** The next line the child prints. */
function nextLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer): void => {
      buffer += d.toString();
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      child.stdout?.off('data', onData);
      resolve(buffer.slice(0, end));
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the internet side exited (${code}) before it was ready`)));
  });
}

/** Starts the far side in its own namespace and lays a cable per link to it; the echo URLs by link. */
async function layCables(self: string): Promise<{ far: ChildProcess; urls: Record<string, string> }> {
  const far = spawn('unshare', ['-n', process.execPath, self, 'internet'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await nextLine(far); // node runs, so its namespace exists
  allowLoopbackRange();
  for (const u of UPLINKS) {
    ip('link', 'add', u.dev, 'type', 'veth', 'peer', 'name', `${u.dev}-far`);
    ip('link', 'set', `${u.dev}-far`, 'netns', String(far.pid));
    ip('addr', 'add', `${u.near}/24`, 'dev', u.dev);
    ip('link', 'set', u.dev, 'up');
  }
  const ready = nextLine(far);
  far.stdin?.write('cables\n');
  return { far, urls: JSON.parse(await ready) as Record<string, string> };
}

let running: ChildProcess | undefined;

function once(bin: string, dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = (running = spawn(process.execPath, [bin, 'once', '--config', join(dir, 'config.yaml')], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_FORMAT: 'json' },
    }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The office: ddnsd follows fiber, the fiber cable goes down, then comes back for three checks. */
async function office(self: string, bin: string): Promise<void> {
  const { far, urls } = await layCables(self);
  const duck = await startDuckDns({ token: TOKEN, domains: ['portal'] });
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-uplinks-'));
  const wans = UPLINKS.map((u) => `  ${u.name}:\n    ipv4: ["${urls[u.name]}"]\n    bind: ${u.near}\n    probe: tcp://${new URL(urls[u.name] ?? '').host}\n`).join('');
  writeFileSync(
    join(dir, 'config.yaml'),
    `detect:\n  timeout: 5s\nwans:\n${wans}providers:\n  - { type: duckdns, token: ${TOKEN}, endpoint: "${duck.url}", hosts: [portal], wan: [fiber, lte], failback: 3 }\n`,
  );
  const run = async (step: string): Promise<void> => {
    const result = await once(bin, dir);
    const sent = duck.updates().map((r) => r.url.searchParams.get('ip') ?? '');
    const wans = (JSON.parse(readFileSync(join(dir, 'data', 'state.json'), 'utf8')) as { wans?: Pick<Step, 'links' | 'follow'> }).wans;
    const line: Step = { step, ...result, record: duck.records.get('portal')?.ipv4, sent, links: wans?.links ?? {}, follow: wans?.follow ?? {} };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  await run('both up');
  ip('link', 'set', 'up1', 'down');
  await run('fiber down');
  ip('link', 'set', 'up1', 'up');
  for (const n of [1, 2, 3]) await run(`fiber back ${n}`);
  process.stdout.write('{"done":true}\n');
  far.kill('SIGKILL');
  await duck.close();
  process.exit(0);
}

const [, self = '', role, bin = ''] = process.argv;
if (role === 'internet' || role === 'office') {
  setTimeout(() => {
    process.stderr.write(`uplinks: ${role} did not finish within ${BOUND_MS} ms\n`);
    running?.kill('SIGKILL');
    process.exit(2);
  }, BOUND_MS).unref();
  (role === 'internet' ? internet() : office(self, bin)).catch((error: unknown) => {
    process.stderr.write(`uplinks: ${role} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
