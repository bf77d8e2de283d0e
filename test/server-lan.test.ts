import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LAN_CHANGE_NOTICE_MS, lanAddresses, noteLan, recentLanChange, type InterfaceTable } from '../src/lan.js';
import { emptyState, stateSchema } from '../src/state.js';

const info = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;

const T0 = Date.parse('2026-11-29T08:00:00Z');

describe('LAN addresses', () => {
  it('lists the addresses clients could use: no loopback, no link-local', () => {
    const table: InterfaceTable = {
      lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
      eth0: [info('192.168.1.20', 'IPv4'), info('fe80::1', 'IPv6'), info('fd00::20', 'IPv6'), info('169.254.3.4', 'IPv4')],
      wlan0: [info('10.0.0.5', 'IPv4')],
    };
    expect(lanAddresses(table)).toEqual([
      { interface: 'eth0', family: 'ipv4', address: '192.168.1.20' },
      { interface: 'wlan0', family: 'ipv4', address: '10.0.0.5' },
      { interface: 'eth0', family: 'ipv6', address: 'fd00::20' },
    ]);
  });

  it('records a change only when an IPv4 address went away, and keeps it for a week', () => {
    const state = emptyState();
    const a = { interface: 'eth0', family: 'ipv4' as const, address: '192.168.1.20' };
    const b = { interface: 'eth0', family: 'ipv4' as const, address: '192.168.1.37' };
    const v6 = (n: number) => ({ interface: 'eth0', family: 'ipv6' as const, address: `2a02:8010:1::${n}` });

    noteLan(state, [a, v6(1)], T0);
    expect(state.lan?.change).toBeUndefined();
    // A rotating IPv6 address and a new extra address are no reason to warn.
    noteLan(state, [a, b, v6(2)], T0 + 1000);
    expect(state.lan?.change).toBeUndefined();
    noteLan(state, [b], T0 + 2000);
    expect(state.lan?.change).toEqual({ at: T0 + 2000, removed: [a], added: [] });
    // Unchanged since: the warning stays, dated from the change.
    noteLan(state, [b], T0 + 3000);
    expect(state.lan?.addresses).toEqual([b]);
    expect(recentLanChange(state, T0 + 3000)?.at).toBe(T0 + 2000);
    expect(recentLanChange(state, T0 + 2000 + LAN_CHANGE_NOTICE_MS - 1)).toBeDefined();
    expect(recentLanChange(state, T0 + 2000 + LAN_CHANGE_NOTICE_MS)).toBeUndefined();
  });

  it('reads state files written before LAN addresses were remembered', () => {
    const old = { version: 1, detected: {}, hosts: {}, history: [] };
    expect(stateSchema.parse(old).lan).toBeUndefined();
    const state = emptyState();
    noteLan(state, [{ interface: 'eth0', family: 'ipv4', address: '192.168.1.20' }], T0);
    expect(stateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });
});
