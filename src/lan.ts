/**
 * The machine's own LAN addresses: the internal addresses that clients on
 * the office network connect to. ddnsd remembers them in the state so the
 * status page can warn when one went away (a DHCP lease handed out a new
 * one, and clients set up with the old address will fail).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';
import { byText } from './order.js';
import type { LanAddress, State } from './state.js';

export type { LanAddress };

/** A warning about a vanished LAN address stays on the page this long. */
export const LAN_CHANGE_NOTICE_MS = 7 * 24 * 60 * 60_000;

/** What `os.networkInterfaces()` returns. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Reads the interface table without ever throwing; `failure` is why the last read failed, if it did. */
export interface InterfaceLister {
  (): InterfaceTable;
  failure(): string | undefined;
}

/**
 * `os.networkInterfaces()` that survives a system refusing it: a sandbox
 * without netlink sockets (systemd's RestrictAddressFamilies=, a seccomp
 * profile) makes it throw. Then the last table read is returned, or an
 * empty one, and `warn` is told why once, so the log says it and the
 * daemon goes on: the Host check, the LAN warning and `interface:` sources
 * lose the machine's own addresses, nothing else.
 */
export function interfaceLister(warn: (message: string) => void, read: () => InterfaceTable = networkInterfaces): InterfaceLister {
  let last: InterfaceTable = {};
  let failure: string | undefined;
  let told = false;
  const list = (): InterfaceTable => {
    try {
      last = read();
      failure = undefined;
    } catch (error) {
      failure = (error as Error).message;
      if (!told) {
        told = true;
        warn(
          `cannot list this machine's network interfaces (${failure}): its own addresses are unknown, so the status server answers only loopback names and server.hosts, and interface: sources find nothing; under systemd, add AF_NETLINK to RestrictAddressFamilies=`,
        );
      }
    }
    return last;
  };
  return Object.assign(list, { failure: () => failure });
}

/** Every address of the machine, loopback included, lowercased: the Host names it answers to. */
export function machineAddresses(table: InterfaceTable): string[] {
  return Object.values(table).flatMap((infos) => (infos ?? []).map((a) => a.address.toLowerCase()));
}

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
