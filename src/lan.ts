/**
 * The machine's own LAN addresses: the internal addresses that clients on
 * the office network connect to. ddnsd remembers them in the state so the
 * status page can warn when one went away (a DHCP lease handed out a new
 * one, and clients set up with the old address will fail).
 */
import type { NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';
import { byText } from './order.js';
import type { LanAddress, State } from './state.js';

export type { LanAddress };

/** A warning about a vanished LAN address stays on the page this long. */
export const LAN_CHANGE_NOTICE_MS = 7 * 24 * 60 * 60_000;

/** What `os.networkInterfaces()` returns. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * Every address of the machine a client could use: loopback and link-local
 * addresses are left out (no one configures clients with those).
 */
export function lanAddresses(table: InterfaceTable): LanAddress[] {
  const out: LanAddress[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      if (info.internal || !ipaddr.isValid(info.address)) continue;
      const range = ipaddr.parse(info.address).range();
      if (range === 'loopback' || range === 'linkLocal' || range === 'unspecified') continue;
      out.push({ interface: name, family: info.family === 'IPv6' ? 'ipv6' : 'ipv4', address: info.address });
    }
  }
  const order = (a: LanAddress): string => `${a.family} ${a.interface} ${a.address}`;
  return out.sort((a, b) => byText(order(a), order(b)));
}

/**
 * Records the current LAN addresses in the state. When an IPv4 address that
 * was there last time is gone, the change is recorded for the warning. IPv6
 * addresses are shown but not compared: temporary (privacy) addresses
 * rotate by design, and clients are rarely set up with one. Returns the
 * change when this look found one.
 */
export function noteLan(state: State, current: LanAddress[], now: number): LanChange | undefined {
  const previous = state.lan;
  const lan: State['lan'] & object = { addresses: current, at: now };
  if (previous) {
    const had = previous.addresses.filter((a) => a.family === 'ipv4');
    const has = current.filter((a) => a.family === 'ipv4');
    const removed = had.filter((a) => !has.some((b) => b.address === a.address));
    const added = has.filter((a) => !had.some((b) => b.address === a.address));
    if (removed.length > 0) lan.change = { at: now, removed, added };
    else if (previous.change) lan.change = previous.change;
  }
  state.lan = lan;
  return lan.change?.at === now ? lan.change : undefined;
}

/** An IPv4 LAN address went away (and which came instead). */
export type LanChange = NonNullable<State['lan']>['change'] & object;

/** The recorded change, while it is recent enough to warn about. */
export function recentLanChange(state: State, now: number): NonNullable<State['lan']>['change'] {
  const change = state.lan?.change;
  return change && now - change.at < LAN_CHANGE_NOTICE_MS ? change : undefined;
}
