/** Listing the machine's interfaces never throws: a sandbox without netlink sockets makes os.networkInterfaces() fail. */
import { describe, expect, it } from 'vitest';
import { interfaceLister, machineAddresses, type InterfaceTable } from '../src/lan.js';

const TABLE: InterfaceTable = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [{ address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' }],
};

describe('the interface lister', () => {
  it('returns the last table it could read, says once why it cannot read one, and recovers', () => {
    const warnings: string[] = [];
    let refuse = true;
    const list = interfaceLister(
      (m) => warnings.push(m),
      () => {
        if (refuse) throw new Error('uv_interface_addresses returned Unknown system error 97');
        return TABLE;
      },
    );
    expect(list()).toEqual({});
    expect(list()).toEqual({});
    expect(list.failure()).toContain('system error 97');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('add AF_NETLINK to RestrictAddressFamilies=');
    refuse = false;
    expect(machineAddresses(list())).toEqual(['127.0.0.1', '192.168.1.20']);
    expect(list.failure()).toBeUndefined();
    refuse = true;
    expect(machineAddresses(list())).toEqual(['127.0.0.1', '192.168.1.20']);
    expect(warnings).toHaveLength(1);
  });
});
