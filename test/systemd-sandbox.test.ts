/**
 * The systemd unit's sandbox, applied for real: RestrictAddressFamilies= is a
 * seccomp filter on socket(), and test/helpers/restrict-families.py installs
 * the same filter (libseccomp) before starting `ddnsd run`. PID 1 is not
 * systemd in containers and CI, so `systemd-run -p ...` cannot be used there.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemdUnit } from '../src/service/systemd.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { startCli, tempDir, writeConfig, type RunningCli } from './helpers/cli.js';

const PYTHON = '/usr/bin/python3';
const FILTER = resolve(import.meta.dirname, 'helpers/restrict-families.py');
const SECCOMP = spawnSync(PYTHON, ['-c', 'import seccomp'], { stdio: 'ignore' }).status === 0;
const TOKEN = 'sandbox-page-token-4b0e1c';

/** The families the generated unit allows, e.g. ['AF_INET', 'AF_INET6', 'AF_UNIX', 'AF_NETLINK']. */
function unitFamilies(): string[] {
  const unit = systemdUnit({ node: process.execPath, bin: '/usr/lib/ddnsd/bin.js', config: '/etc/ddnsd/config.yaml' });
  const line = unit.split('\n').find((l) => l.startsWith('RestrictAddressFamilies='));
  return (line ?? '')
    .slice('RestrictAddressFamilies='.length)
    .split(/\s+/)
    .filter((f) => f !== '');
}

async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { host: `127.0.0.1:${port}`, ...headers } });
  return { status: res.statusCode, body: await res.body.text() };
}

// Debian's python3-seccomp; .ci/run installs it, so CI never skips this.
describe.runIf(SECCOMP || process.env.CI)("ddnsd run inside the unit's address-family sandbox", () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEcho('81.2.69.160');
  });
  afterAll(async () => {
    await echo.close();
  });

  /** Starts `ddnsd run` under the filter allowing `families`; resolves with the port once the status line is out. */
  async function sandboxed(families: string[], server: string): Promise<{ cli: RunningCli; port: number }> {
    const dir = tempDir();
    writeConfig(dir, `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n${server}providers: []\n`);
    const cli = startCli(['run'], { cwd: dir, env: { PAGE_TOKEN: TOKEN }, wrap: [PYTHON, FILTER, families.join(','), '--'] });
    const [, port] = await cli.waitFor(/Status page on http:\/\/[0-9.]+:(\d+)\//);
    return { cli, port: Number(port) };
  }

  it('the unit lets ddnsd list the interfaces: on 0.0.0.0 it serves, and warns about nothing', async () => {
    const families = unitFamilies();
    expect(families).toContain('AF_NETLINK');
    const { cli, port } = await sandboxed(families, '  listen: 0.0.0.0:0\n  token: ${PAGE_TOKEN}\n');
    try {
      expect((await get(port, '/api/status', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      expect(cli.stderr()).not.toContain('cannot list this machine');
    } finally {
      cli.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('without AF_NETLINK, ddnsd still listens on 0.0.0.0 and answers, and says once why it cannot list the interfaces', async () => {
    const families = unitFamilies().filter((f) => f !== 'AF_NETLINK');
    const { cli, port } = await sandboxed(families, '  listen: 0.0.0.0:0\n  token: ${PAGE_TOKEN}\n');
    try {
      for (let i = 0; i < 3; i++) expect((await get(port, '/api/status', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      expect(cli.stderr().match(/cannot list this machine's network interfaces/g)).toHaveLength(1);
      expect(cli.stderr()).toContain('add AF_NETLINK to RestrictAddressFamilies=');
      // A name this machine does not answer to is still refused.
      expect((await get(port, '/api/status', { host: 'attacker.example', authorization: `Bearer ${TOKEN}` })).status).toBe(421);
    } finally {
      cli.kill('SIGTERM');
      expect((await cli.exited).code).toBe(0);
    }
  });

  it('without AF_NETLINK on loopback, the Host check answers a name it does not know with 421 instead of failing with 500', async () => {
    const families = unitFamilies().filter((f) => f !== 'AF_NETLINK');
    const { cli, port } = await sandboxed(families, '  listen: 127.0.0.1:0\n');
    try {
      // A name that is not loopback makes the check look at the machine's own addresses.
      const foreign = await get(port, '/api/status', { host: 'rebind.attacker.example' });
      expect(foreign.status, foreign.body).toBe(421);
      expect((await get(port, '/api/status')).status).toBe(200);
    } finally {
      cli.kill('SIGTERM');
      await cli.exited;
    }
  });
});
