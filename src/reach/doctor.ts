/**
 * `ddnsd doctor` (and `ddnsd check --reach`): every link of the chain from a
 * remote client to this machine, once, one line each with ✓ or ✗ and what
 * to do: address detected → DNS published → port reachable from outside →
 * router forward → this machine's LAN address.
 */
import { FAMILY_LABEL } from '../base/address.js';
import type { Detection } from '../detect/index.js';
import { recentLanChange } from '../lan.js';
import type { State } from '../state.js';
import type { CheckName, CheckResult, Verdict } from './result.js';

export interface DoctorInput {
  detections: Detection[];
  results: CheckResult[];
  /** Checks that are configured; the others are named with how to turn them on. */
  configured: Record<CheckName, boolean>;
  state: State;
  now: number;
}

const MARK: Record<Verdict, string> = { pass: '✓', warn: '!', fail: '✗', skip: '–' };

const NOT_ON: Record<CheckName, string> = {
  dns: 'not checked: add checks.dns to the config',
  port: "not checked: list the server's port under checks.port.ports (e.g. host: office.example.com, port: 1234)",
  forward: 'not checked: add checks.forward: true to ask the router over UPnP',
};

const LINKS: [CheckName, string][] = [
  ['dns', 'DNS published'],
  ['port', 'Port reachable from outside'],
  ['forward', 'Router forward'],
];

function line(mark: string, link: string, text: string, fix?: string | null, details: string[] = []): string[] {
  return [`${mark} ${link}: ${text}`, ...details.map((d) => `      ${d}`), ...(fix ? [`    → ${fix}`] : [])];
}

/** The report as lines, and whether nothing failed (warnings and skipped checks do not fail). */
export function doctorReport(input: DoctorInput): { text: string; ok: boolean } {
  const out: string[] = [];
  let ok = true;
  for (const d of input.detections) {
    const label = FAMILY_LABEL[d.family];
    if (d.address) out.push(...line('✓', `Address detected (${label})`, `${d.address} (agreed by ${d.agreeing.join(', ')})`));
    else {
      ok = false;
      out.push(...line('✗', `Address detected (${label})`, d.error ?? 'not detected', "Check this machine's internet connection, and the sources under detect in the config."));
    }
  }
  for (const [check, link] of LINKS) {
    const results = input.results.filter((r) => r.check === check);
    if (!input.configured[check]) out.push(...line('–', link, NOT_ON[check]));
    else if (results.length === 0) out.push(...line('–', link, check === 'dns' ? 'no host to check (no provider entry, or no address detected)' : 'nothing to check'));
    for (const r of results) {
      if (r.verdict === 'fail') ok = false;
      out.push(...line(MARK[r.verdict], `${link} (${r.subject})`, r.summary, r.fix, r.details));
    }
  }
  const lan = input.state.lan?.addresses.filter((a) => a.family === 'ipv4') ?? [];
  const change = recentLanChange(input.state, input.now);
  if (change) {
    ok = false;
    const gone = change.removed.map((a) => a.address).join(', ');
    out.push(
      ...line(
        '✗',
        "This machine's LAN address",
        `${gone} went away; now ${lan.map((a) => a.address).join(', ') || 'none'}`,
        "Give this machine a fixed LAN address (a DHCP reservation in the router), and point the router's forward and the office clients at it.",
      ),
    );
  } else if (lan.length > 0) out.push(...line('✓', "This machine's LAN address", `${lan.map((a) => `${a.address} (${a.interface})`).join(', ')}, unchanged`));
  else out.push(...line('!', "This machine's LAN address", 'no IPv4 LAN address found', 'Check the network settings of this machine.'));
  out.push(ok ? 'Verdict: every link that was checked works.' : 'Verdict: a link is broken; the first ✗ above is where to start.');
  return { text: `${out.join('\n')}\n`, ok };
}
