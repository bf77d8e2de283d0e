/**
 * IPv6 prefix + suffix: hosts behind the router keep their interface id
 * while the detected prefix changes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import { effectiveConfig } from '../src/config/effective.js';
import { loadConfig } from './helpers/config.js';
import { eui64, parseSuffix, withSuffix } from '../src/detect/prefix.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { createRuntime, type Runtime } from '../src/main.js';
import { startDyndns2, type FakeDyndns2 } from './fakes/dyndns2.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir } from './helpers/cli.js';

const hex = (bytes: Uint8Array | string): string => (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('hex'));

describe('combining a prefix with an interface id', () => {
  it('makes the modified EUI-64 id of a MAC address (U/L bit flipped, ff:fe inserted)', () => {
    expect(hex(eui64('00:11:22:33:44:55'))).toBe(`${'00'.repeat(8)}021122fffe334455`);
    expect(hex(eui64('02-11-22-33-44-55'))).toBe(`${'00'.repeat(8)}001122fffe334455`);
    expect(eui64('00:11:22:33:44')).toContain('is not a MAC address');
  });

  it('keeps the first prefix-length bits of the detected address and the rest of the suffix', () => {
    const id = parseSuffix('::1234') as Uint8Array;
    expect(withSuffix('2a02:8010:1:0:8d3a:1b2c:3d4e:5f60', 64, id)).toBe('2a02:8010:1::1234');
    expect(withSuffix('2a02:8010:1:ab:8d3a::1', 56, parseSuffix('::cd:0:0:0:1234') as Uint8Array)).toBe('2a02:8010:1:cd::1234');
    expect(withSuffix('2a02:8010:1:0:8d3a::1', 64, eui64('00:11:22:33:44:55') as Uint8Array)).toBe('2a02:8010:1:0:211:22ff:fe33:4455');
    expect(parseSuffix('12:34')).toContain('not an IPv6 interface id');
  });
});

describe('hosts with an IPv6 suffix in a provider entry', () => {
  let runtime: Runtime | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  const write = (dir: string, detect: string, hosts: string, extra = ''): string => {
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `state: ./state.json\ndetect:\n${detect}\nproviders:\n  - type: dyndns2\n    endpoint: http://127.0.0.1:9/\n    username: u\n    password: p\n${extra}    hosts:\n${hosts}\n`,
    );
    return file;
  };
  const problems = (detect: string, hosts: string, extra = ''): string => {
    const dir = tempDir();
    try {
      loadConfig({ providers: PROVIDERS, path: write(dir, detect, hosts, extra), env: {}, cwd: dir });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const v6 = '  ipv6: [https://api6.ipify.org/]';

  it('reports wrong host mappings by key path and line', () => {
    expect(problems(v6, '      - { name: nas.example.net, ipv6_suffix: "::1", ipv6_host_mac: "00:11:22:33:44:55" }')).toContain(
      'providers[0].hosts[0] (line 10): give ipv6_suffix or ipv6_host_mac, not both',
    );
    expect(problems(v6, '      - { name: nas.example.net, ipv6_suffix: "1234" }')).toContain('providers[0].hosts[0].ipv6_suffix (line 10): "1234" is not an IPv6 interface id');
    expect(problems(v6, '      - { name: nas.example.net, ipv6_host_mac: "00:11" }')).toContain('is not a MAC address');
    expect(problems(v6, '      - { name: nas.example.net, ipv6_sufix: "::1" }')).toContain('providers[0].hosts[0].ipv6_sufix (line 10): unknown key');
    expect(problems(v6, '      - { name: nas.example.net }')).toContain('needs ipv6_suffix');
    expect(problems(v6, '      - { name: "nas example", ipv6_suffix: "::1" }')).toContain('is not a valid hostname');
    expect(problems('  ipv4: [ipify]', '      - { name: nas.example.net, ipv6_suffix: "::1" }')).toContain('no IPv6 sources are configured');
    expect(problems(v6, '      - nas.example.net', '    ipv6_prefix_length: 130\n')).toContain('ipv6_prefix_length (line 9): expected the prefix length in bits');
    expect(problems(v6, '      - { name: nas.example.net, ipv6_suffix: "::1" }\n      - portal.example.net', '    ipv6_prefix_length: 56\n')).toBe('');
  });

  it("sends each host's own AAAA, and follows a new prefix", async () => {
    const echo4: EchoServer = await startEcho('81.2.69.160');
    const echo6: EchoServer = await startEcho('2a02:8010:1:0:8d3a:1b2c:3d4e:5f60', '::1');
    const dyn: FakeDyndns2 = await startDyndns2({ username: 'u', password: 'dyn-pass-0c1f', hosts: ['nas.example.net', 'lab.example.net', 'portal.example.net'] });
    closers.push(echo4.close, echo6.close, dyn.close);
    const dir = tempDir();
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `state: ./state.json
detect:
  ipv4: [${echo4.url}/]
  ipv6: ["${echo6.url}/"]
providers:
  - type: dyndns2
    endpoint: ${dyn.url}
    username: u
    password: dyn-pass-0c1f
    hosts:
      - { name: nas.example.net, ipv6_suffix: "::1234" }
      - { name: lab.example.net, ipv6_host_mac: "00:11:22:33:44:55" }
      - portal.example.net
`,
    );
    const config = loadConfig({ providers: PROVIDERS, path: file, env: {}, cwd: dir });
    expect(effectiveConfig(config).providers).toEqual([
      expect.objectContaining({
        hosts: ['nas.example.net', 'lab.example.net', 'portal.example.net'],
        ipv6_hosts: ['nas.example.net: ipv6_suffix: ::1234', 'lab.example.net: ipv6_host_mac: 00:11:22:33:44:55'],
      }),
    ]);
    const redactor = createRedactor();
    runtime = await createRuntime(config, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [] });

    const first = await runtime.cycle(1, new AbortController().signal);
    expect(first.ok).toBe(true);
    expect(Object.fromEntries(dyn.records)).toEqual({
      'nas.example.net': { ipv4: '81.2.69.160', ipv6: '2a02:8010:1::1234' },
      'lab.example.net': { ipv4: '81.2.69.160', ipv6: '2a02:8010:1:0:211:22ff:fe33:4455' },
      'portal.example.net': { ipv4: '81.2.69.160', ipv6: '2a02:8010:1:0:8d3a:1b2c:3d4e:5f60' },
    });
    expect(dyn.updates()).toHaveLength(3); // one request per distinct set of addresses
    expect(runtime.status().hosts.every((h) => h.status === 'ok')).toBe(true);

    await runtime.cycle(2, new AbortController().signal);
    expect(dyn.updates()).toHaveLength(3); // nothing changed: nothing sent

    echo6.answer = '2a02:8010:7:0:8d3a:1b2c:3d4e:5f61'; // the ISP's new prefix
    await runtime.cycle(3, new AbortController().signal);
    expect(dyn.records.get('nas.example.net')?.ipv6).toBe('2a02:8010:7::1234');
    expect(dyn.records.get('lab.example.net')?.ipv6).toBe('2a02:8010:7:0:211:22ff:fe33:4455');
    expect(dyn.updates()).toHaveLength(6);
    expect(runtime.status().hosts.find((h) => h.host === 'nas.example.net' && h.family === 'ipv6')).toMatchObject({ address: '2a02:8010:7::1234', status: 'ok' });
  });
});
