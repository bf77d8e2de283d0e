/**
 * The `port` check: is the server's port reachable from the internet? Only
 * someone outside can tell, so an echoip-compatible probe is asked (GET
 * https://ifconfig.co/port/1234 answers {"ip": "…", "port": 1234, "reachable":
 * true}). A connection from here to the external address ("hairpin") is
 * reported apart: many routers refuse or allow it whatever the outside sees.
 */
import { connect } from 'node:net';
import ipaddr from 'ipaddr.js';
import { describeUrl, type HttpClient } from '../base/http.js';
import type { PortEntry } from '../config/checks.js';
import { result, type CheckResult } from './result.js';

export interface PortCheckOptions {
  http: HttpClient;
  /** URL with {port}. */
  probe: string;
  timeoutMs: number;
  /** The current external IPv4 address. */
  external: string | undefined;
  /** This machine's LAN address, for the advice. */
  lan: string | undefined;
  hairpin: boolean;
  /** Where the hairpin attempt connects; the external address unless set (tests use loopback). */
  hairpinHost?: string;
  required: boolean;
  signal?: AbortSignal;
}

interface ProbeAnswer {
  ip?: unknown;
  port?: unknown;
  reachable?: unknown;
}

/** Connects to host:port and closes at once: 'open', or why not. */
export function tryConnect(host: string, port: number, timeoutMs: number): Promise<'open' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (outcome: string): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.once('connect', () => done('open'));
    socket.once('timeout', () => done(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error: Error & { code?: string }) => done(error.code === 'ECONNREFUSED' ? 'refused' : (error.code ?? error.message)));
  });
}

async function askProbe(entry: PortEntry, options: PortCheckOptions): Promise<ProbeAnswer | string> {
  const url = options.probe.replaceAll('{port}', String(entry.port));
  try {
    const res = await options.http.request({
      url,
      timeoutMs: options.timeoutMs,
      maxBytes: 16 * 1024,
      headers: { accept: 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.status !== 200) return `the probe ${describeUrl(url)} answered HTTP ${res.status}`;
    const body = JSON.parse(res.text) as ProbeAnswer;
    if (typeof body !== 'object' || body === null || typeof body.reachable !== 'boolean') return `the probe ${describeUrl(url)} answered without "reachable": true or false`;
    return body;
  } catch (error) {
    return error instanceof SyntaxError ? `the probe ${describeUrl(url)} answered something that is not JSON` : (error as Error).message;
  }
}

async function hairpin(entry: PortEntry, options: PortCheckOptions): Promise<string | undefined> {
  const host = options.hairpinHost ?? options.external;
  if (!options.hairpin || !host) return undefined;
  const outcome = await tryConnect(host, entry.port, Math.min(options.timeoutMs, 3000));
  return outcome === 'open'
    ? `hairpin: connecting from this machine to ${host}:${entry.port} works (this says nothing about the outside)`
    : `hairpin: connecting from this machine to ${host}:${entry.port} failed (${outcome}); many routers refuse this from inside, so it says nothing about the outside`;
}

export async function checkPort(entry: PortEntry, options: PortCheckOptions): Promise<CheckResult> {
  const subject = `${entry.host}:${entry.port}/${entry.protocol}`;
  const where = options.external ? `${options.external}:${entry.port}` : `port ${entry.port}`;
  const [answer, inside] = await Promise.all([askProbe(entry, options), hairpin(entry, options)]);
  const details = [`probe: ${describeUrl(options.probe.replaceAll('{port}', String(entry.port)))}`, ...(inside ? [inside] : [])];
  if (typeof answer === 'string') {
    return result(
      'port',
      subject,
      options.required,
      'warn',
      `cannot tell whether ${where} is reachable from the internet: ${answer}`,
      'Check that this machine can reach the probe, or set checks.port.probe to another echoip-compatible service (or your own).',
      details,
    );
  }
  const seenAs = typeof answer.ip === 'string' ? answer.ip : undefined;
  if (
    seenAs &&
    options.external &&
    ipaddr.isValid(seenAs) &&
    ipaddr.isValid(options.external) &&
    ipaddr.process(seenAs).toString() !== ipaddr.process(options.external).toString()
  ) {
    details.push(`the probe saw this network as ${seenAs}, not ${options.external}: traffic leaves by another route (a VPN, a second line, IPv6)`);
  }
  if (answer.reachable === true) {
    return result('port', subject, options.required, 'pass', `port ${entry.port} on ${seenAs ?? options.external ?? 'this network'} answers from the internet`, null, details);
  }
  const to = options.lan ? `this machine (${options.lan})` : 'this machine';
  return result(
    'port',
    subject,
    options.required,
    'fail',
    `port ${entry.port} on ${seenAs ?? options.external ?? 'this network'} is not reachable from the internet`,
    `In the router, forward ${entry.protocol.toUpperCase()} port ${entry.port} to ${to}; allow the port in this machine's firewall; make sure the server program is running and listening on port ${entry.port}.`,
    details,
  );
}
