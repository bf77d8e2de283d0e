/**
 * A real BIND 9 (`named` from Debian's bind9 package) on loopback, for the
 * RFC 2136 acceptance tests: a generated named.conf in a temp dir with one
 * TSIG key and one dynamic zone, listening on 127.0.0.1 and ::1 on a free
 * port, started in the foreground (`named -g`) and stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDnsClient, queryDns, type DnsAnswer, type DnsServer, type TsigAlgorithm } from '../../providers/kit/index.js';
import { freePort } from './port.js';

export const NAMED = '/usr/sbin/named';

/** Whether the BIND tests can run here; in CI they must (the `.ci/run` script installs bind9). */
export function bindAvailable(): boolean {
  return existsSync(NAMED);
}

export interface BindOptions {
  zone?: string;
  keyName?: string;
  algorithm?: TsigAlgorithm;
  /** The zone's update-policy rules (e.g. `grant ddnsd-key name office.example.test. A;`); absent: allow-update { key …; }. */
  updatePolicy?: string;
}

export interface Bind {
  server: DnsServer;
  zone: string;
  keyName: string;
  algorithm: TsigAlgorithm;
  /** The key's secret, base64, as tsig-keygen prints it. */
  secret: string;
  /** named's output so far (its log: updates granted or denied). */
  log(): string;
  /** The records of `type` at `name`, read back with a plain query. */
  records(name: string, type: 'A' | 'AAAA'): Promise<string[]>;
  /** The zone's SOA serial: it rises with every update BIND applies. */
  serial(): Promise<number>;
  stop(): Promise<void>;
}

function namedConf(dir: string, port: number, o: Required<Omit<BindOptions, 'updatePolicy'>> & BindOptions, secret: string): string {
  const updates = o.updatePolicy === undefined ? `allow-update { key "${o.keyName}"; };` : `update-policy { ${o.updatePolicy} };`;
  return `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 port ${port} { ::1; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
key "${o.keyName}" { algorithm ${o.algorithm}; secret "${secret}"; };
zone "${o.zone}" { type primary; file "${dir}/${o.zone}.zone"; ${updates} };
`;
}

function zoneFile(zone: string): string {
  return `$TTL 3600
@ IN SOA ns1.${zone}. hostmaster.${zone}. ( 1 3600 600 86400 300 )
@ IN NS ns1.${zone}.
ns1 IN A 127.0.0.1
`;
}

async function ask(server: DnsServer, name: string, type: 'A' | 'AAAA' | 'SOA'): Promise<DnsAnswer> {
  return queryDns(createDnsClient({ timeoutMs: 1000 }), server, { name, type });
}

/** Waits (bounded) until named answers the zone's SOA authoritatively. */
async function waitUntilServing(server: DnsServer, zone: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`named exited with ${child.exitCode}:\n${log()}`);
    const answer = await ask(server, zone, 'SOA').catch(() => undefined);
    if (answer?.rcode === 'NOERROR' && answer.answers?.some((a) => a.type === 'SOA')) return;
    if (performance.now() > deadline) throw new Error(`named did not serve ${zone} within 15 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startBind(options: BindOptions = {}): Promise<Bind> {
  const o: Required<Omit<BindOptions, 'updatePolicy'>> & BindOptions = { zone: 'example.test', keyName: 'ddnsd-key', algorithm: 'hmac-sha256', ...options };
  const dir = mkdtempSync(join(tmpdir(), 'ddnsd-bind-'));
  const secret = randomBytes(32).toString('base64');
  const port = await freePort();
  writeFileSync(join(dir, 'named.conf'), namedConf(dir, port, o, secret));
  writeFileSync(join(dir, `${o.zone}.zone`), zoneFile(o.zone));
  // One worker thread: the test machine is small and shared.
  const child = spawn(NAMED, ['-g', '-n', '1', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const server = { host: '127.0.0.1', port };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(server, o.zone, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    server,
    zone: o.zone,
    keyName: o.keyName,
    algorithm: o.algorithm,
    secret,
    log: () => output,
    async records(name, type) {
      const answer = await ask(server, name, type);
      return (answer.answers ?? []).flatMap((a) => (a.type === type ? [a.data] : [])).sort();
    },
    async serial() {
      const answer = await ask(server, o.zone, 'SOA');
      const soa = answer.answers?.find((a) => a.type === 'SOA');
      if (soa?.type !== 'SOA' || soa.data.serial === undefined) throw new Error(`no SOA for ${o.zone}`);
      return soa.data.serial;
    },
    stop,
  };
}
