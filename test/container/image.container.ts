/**
 * Builds the Dockerfile with podman for linux/amd64 and linux/arm64 and runs
 * each image against local fakes: an IP echo pair and a DuckDNS server on
 * 127.0.0.1 (the arm64 one under qemu-user-static, which prepare.sh registers
 * with the kernel). The container shares the host's network so it reaches
 * them, and its config names nothing but those loopback addresses. Run with
 * `npm run test:container` (root, podman).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { tempDir } from '../helpers/cli.js';
import { detectYaml } from '../helpers/config-yaml.js';
import { freePort } from '../helpers/port.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** The build stage's Node.js image, and the minimal base of each platform (sea-base.sh). */
const NODE_IMAGE = process.env.DDNSD_BASE_IMAGE || 'localhost/ddnsd-node-base:24';
const SEA_BASE = process.env.DDNSD_SEA_BASE_IMAGE || 'localhost/ddnsd-cc-base:bookworm';
const PLATFORMS = (process.env.DDNSD_PLATFORMS || 'amd64,arm64').split(',');
// crun fails on these machines' cgroup layout; the default ulimits are too high for runc here.
const PODMAN = ['--runtime', 'runc'];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const ADDRESS = '81.2.69.160'; // data only: the echo fakes answer it, nothing contacts it
const TOKEN = 'duck-container-secret-4b1d9e';
/** The status page's token: the image listens on 0.0.0.0, where reads need a sign-in. */
const PAGE_TOKEN = 'container-page-token-7c2e91';
// The machine's extra CA (a TLS-inspecting proxy), handed to npm ci for that build step only.
const CA = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find((f) => f && existsSync(f));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function podman(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((done) => {
    execFile('podman', [...PODMAN, ...args], { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr: error && code === -1 ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

async function getStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/** Polls until `check` is true, at most `attempts` times `everyMs` apart. */
async function waitFor(check: () => Promise<boolean> | boolean, attempts: number, everyMs: number): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

describe.each(PLATFORMS)('the linux/%s container image, built with podman and run against local fakes', (arch) => {
  const BASE = `${SEA_BASE}-${arch}`;
  const TAG = `localhost/ddnsd:container-test-${arch}-${process.pid}`;
  const NAME = `ddnsd-container-test-${arch}-${process.pid}`;
  const VOLUME = `ddnsd-container-test-data-${arch}-${process.pid}`;
  let echoA: EchoServer;
  let echoB: EchoServer;
  let duck: FakeDuckDns;
  let dir: string;
  let port: number;
  let started: Run;

  beforeAll(async () => {
    const build = await podman(
      // podman 4.3 (Debian bookworm) fills in neither BUILDPLATFORM nor the TARGET* arguments; given here.
      [
        'build',
        '--platform',
        `linux/${arch}`,
        '--pull=never',
        '--build-arg',
        'BUILDPLATFORM=linux/amd64',
        '--build-arg',
        `TARGETPLATFORM=linux/${arch}`,
        '--build-arg',
        `TARGETARCH=${arch}`,
        '--format',
        'docker',
        '--network=host',
        ...LIMITS,
        ...(CA ? ['--secret', `id=npm_ca,src=${CA}`] : []),
        '--build-arg',
        `NODE_IMAGE=${NODE_IMAGE}`,
        '--build-arg',
        `BASE_IMAGE=${BASE}`,
        '-t',
        TAG,
        '-f',
        join(ROOT, 'Dockerfile'),
        ROOT,
      ],
      900_000,
    );
    if (build.code !== 0) throw new Error(`podman build failed (${build.code}):\n${build.stdout.slice(-4000)}\n${build.stderr.slice(-4000)}`);

    echoA = await startEcho(ADDRESS);
    echoB = await startEcho(ADDRESS);
    duck = await startDuckDns({ token: TOKEN, domains: ['myoffice'] });
    port = await freePort();
    dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'config'), { mode: 0o755 });
    writeFileSync(
      join(dir, 'config/config.yaml'),
      `# Only loopback addresses: the container shares the host's network.
interval: 5m
${detectYaml([echoA.url, echoB.url], 2)}providers:
  - type: duckdns
    token_file: /run/secrets/duckdns_token
    endpoint: ${duck.url}
    hosts: [myoffice]
server:
  token_file: /run/secrets/ddnsd_token
`,
      { mode: 0o644 },
    );
    writeFileSync(join(dir, 'duckdns_token'), `${TOKEN}\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'ddnsd_token'), `${PAGE_TOKEN}\n`, { mode: 0o644 });
    await podman(['volume', 'create', VOLUME]);
    started = await podman([
      'run',
      '-d',
      '--name',
      NAME,
      '--network=host',
      ...LIMITS,
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '-e',
      `DDNSD_LISTEN=127.0.0.1:${port}`,
      '-v',
      `${join(dir, 'config')}:/config:ro`,
      '-v',
      `${VOLUME}:/data`,
      '-v',
      `${join(dir, 'duckdns_token')}:/run/secrets/duckdns_token:ro`,
      '-v',
      `${join(dir, 'ddnsd_token')}:/run/secrets/ddnsd_token:ro`,
      TAG,
    ]);
  }, 900_000);

  afterAll(async () => {
    await podman(['rm', '-f', '-t', '0', NAME]);
    await podman(['volume', 'rm', '-f', VOLUME]);
    await podman(['rmi', '-f', TAG]);
    await Promise.all([echoA?.close(), echoB?.close(), duck?.close()]);
  });

  it('has the labels, health check, stop signal, user and listen address the Dockerfile promises', async () => {
    const inspect = await podman(['image', 'inspect', TAG]);
    expect(inspect.code).toBe(0);
    const [image] = JSON.parse(inspect.stdout) as {
      Architecture: string;
      Healthcheck?: { Test: string[] };
      Config: { User: string; Env: string[]; Labels: Record<string, string>; StopSignal: string; Volumes: Record<string, unknown>; Healthcheck?: { Test: string[] } };
    }[];
    expect(image?.Config.User).toBe('1000:1000');
    expect(image?.Config.StopSignal).toBe('SIGTERM');
    expect(Object.keys(image?.Config.Volumes ?? {})).toEqual(['/data']);
    expect(image?.Config.Labels['org.opencontainers.image.title']).toBe('ddnsd');
    expect(image?.Config.Labels['org.opencontainers.image.base.name']).toBe(BASE);
    expect((image?.Healthcheck ?? image?.Config.Healthcheck)?.Test).toEqual(['CMD', '/usr/local/bin/ddnsd', 'health']);
    expect(image?.Architecture).toBe(arch);
    // The single executable on the minimal base stays under 120 MB unpacked (docs/performance.md).
    const size = await podman(['image', 'inspect', '--format', '{{.Size}}', TAG]);
    expect(Number(size.stdout.trim())).toBeLessThan(120e6);
    expect(image?.Config.Env).toEqual(expect.arrayContaining(['DDNSD_CONFIG=/config/config.yaml', 'DDNSD_LISTEN=0.0.0.0:8080']));

    // Without any -e, the config is read from /config and the server listens on 0.0.0.0:8080.
    const check = await podman([
      'run',
      '--rm',
      '--network=none',
      ...LIMITS,
      '-v',
      `${join(dir, 'config')}:/config:ro`,
      '-v',
      `${join(dir, 'duckdns_token')}:/run/secrets/duckdns_token:ro`,
      '-v',
      `${join(dir, 'ddnsd_token')}:/run/secrets/ddnsd_token:ro`,
      TAG,
      'check',
    ]);
    expect(check.stderr).toContain('the config is valid (/config/config.yaml)');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('listen: 0.0.0.0:8080');
    // Beyond loopback, reads need the page token.
    expect(check.stdout).toContain('auth: token');
    expect(check.stdout).toContain('state: /data/state.json');
    expect(check.stdout + check.stderr).not.toContain(TOKEN);
    expect(check.stdout + check.stderr).not.toContain(PAGE_TOKEN);
  });

  it('runs as uid 1000, updates the fake provider, keeps state in the volume, answers /healthz and stops cleanly', async () => {
    expect(started.code, started.stderr).toBe(0);
    const healthz = `http://127.0.0.1:${port}/healthz`;
    // Under qemu (arm64) Node.js starts in seconds.
    const healthy = await waitFor(async () => duck.updates().length >= 1 && (await getStatus(healthz)) === 200, 240, 500);
    const logs = await podman(['logs', NAME]);
    expect(healthy, `not healthy within 120 s; logs:\n${logs.stdout}${logs.stderr}`).toBe(true);
    expect(logs.stdout + logs.stderr).not.toContain(TOKEN);

    expect(duck.updates()).toHaveLength(1);
    expect(duck.updates()[0]?.url.searchParams.get('ip')).toBe(ADDRESS);
    expect(duck.records.get('myoffice')?.ipv4).toBe(ADDRESS);
    // Detection asked only the two local echo servers.
    expect(echoA.requests.length + echoB.requests.length).toBeGreaterThanOrEqual(2);

    // The image has no shell and no node: the daemon's ids as the host sees them (no user namespace here).
    const pid = await podman(['inspect', NAME, '--format', '{{.State.Pid}}']);
    const proc = readFileSync(`/proc/${pid.stdout.trim()}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)/m.exec(proc)?.[1]).toBe('1000');
    expect(/^Gid:\s+(\d+)/m.exec(proc)?.[1]).toBe('1000');

    const probe = await podman(['healthcheck', 'run', NAME]);
    expect(probe.code, probe.stdout + probe.stderr).toBe(0);
    const cli = await podman(['exec', NAME, '/usr/local/bin/ddnsd', 'health']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('healthy');

    const mount = await podman(['volume', 'inspect', VOLUME, '--format', '{{.Mountpoint}}']);
    const stateFile = join(mount.stdout.trim(), 'state.json');
    const written = await waitFor(
      () => {
        try {
          return readFileSync(stateFile, 'utf8').includes(ADDRESS);
        } catch {
          return false;
        }
      },
      20,
      250,
    );
    expect(written, `no state file with ${ADDRESS} at ${stateFile}`).toBe(true);
    expect(statSync(stateFile).uid).toBe(1000);
    expect(readFileSync(stateFile, 'utf8')).not.toContain(TOKEN);

    const t0 = Date.now();
    const stop = await podman(['stop', '-t', '15', NAME], 30_000);
    expect(stop.code, stop.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(14_000); // well before podman would resort to SIGKILL
    const state = await podman(['inspect', NAME, '--format', '{{.State.ExitCode}} {{.State.Status}}']);
    expect(state.stdout.trim()).toBe('0 exited');
    const after = await podman(['logs', NAME]);
    expect(after.stdout + after.stderr).toContain('Stopped');
  });
});
