/**
 * Two internet links as two real uplinks: `ddnsd once` in a network namespace
 * whose two links leave through two veth cables to a second namespace, where
 * each link's echo answers (test/helpers/uplinks.ts, bundled with esbuild and
 * run under `unshare -rn`). Every address is in 127.0.0.0/8. Where this
 * machine allows no user and network namespaces (a CI user without them, a
 * kernel without veth), the test is skipped and its title says why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BIN, CHILD_BOUND_MS, childEnv, tempDir } from './helpers/cli.js';
import { UPLINKS, type Step } from './helpers/uplinks.js';

/**
 * Why two uplinks cannot be built here, or undefined when they can: asked once, at load, with every step
 * the office takes (a veth pair, a second namespace inside the first, a loopback-range sysctl).
 */
function whyNot(): string | undefined {
  const steps = ['ip link add ddnsd-t0 type veth peer name ddnsd-t1', 'unshare -n true', 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet'];
  const tried = spawnSync('unshare', ['-rn', 'sh', '-ec', steps.join('\n')], { encoding: 'utf8', timeout: 10_000 });
  if (tried.error) return `unshare -rn could not run: ${tried.error.message}`;
  if (tried.status !== 0) return `unshare -rn sh -ec '${steps.join('; ')}' failed: ${tried.stderr.trim() || `exit ${tried.status}`}`;
  if (!existsSync(BIN)) return `${BIN} is missing: run npm run build`;
  return undefined;
}

const unavailable = whyNot();
const [FIBER, LTE] = UPLINKS.map((u) => u.public) as [string, string];

/** Runs the office under `unshare -rn`, bounded; its JSON lines. */
async function office(script: string): Promise<{ steps: Step[]; done: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-rn', process.execPath, script, 'office', BIN], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the uplinks did not finish within ${CHILD_BOUND_MS} ms\n${stderr}`));
    }, CHILD_BOUND_MS);
    child.on('close', () => {
      clearTimeout(timer);
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Step | { done: true });
      resolve({ steps: lines.filter((l): l is Step => 'step' in l), done: lines.some((l) => 'done' in l), stderr });
    });
  });
}

describe.skipIf(unavailable !== undefined)(`two uplinks in network namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('each link detects its own address over its own cable; with the fibre cable down the name moves to LTE at that check, and back after failback checks', async () => {
    const script = join(tempDir(), 'uplinks.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'helpers/uplinks.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: script,
      logLevel: 'silent',
    });
    const { steps, done, stderr } = await office(script);
    expect(done, stderr).toBe(true);
    const view = steps.map((s) => ({
      step: s.step,
      code: s.code,
      record: s.record,
      fiber: s.links.fiber?.up ? s.links.fiber.addresses.ipv4 : 'down',
      lte: s.links.lte?.up ? s.links.lte.addresses.ipv4 : 'down',
      follows: s.follow['duckdns portal.duckdns.org'],
    }));
    expect(view).toEqual([
      { step: 'both up', code: 0, record: FIBER, fiber: FIBER, lte: LTE, follows: 'fiber' },
      { step: 'fiber down', code: 0, record: LTE, fiber: 'down', lte: LTE, follows: 'lte' },
      { step: 'fiber back 1', code: 0, record: LTE, fiber: FIBER, lte: LTE, follows: 'lte' },
      { step: 'fiber back 2', code: 0, record: LTE, fiber: FIBER, lte: LTE, follows: 'lte' },
      { step: 'fiber back 3', code: 0, record: FIBER, fiber: FIBER, lte: LTE, follows: 'fiber' },
    ]);
    // The pulled cable is what the fibre link says: its network is unreachable from its own address.
    expect(steps[1]?.links.fiber?.error).toMatch(/ENETUNREACH/);
    expect(steps.at(-1)?.sent).toEqual([FIBER, LTE, FIBER]);
    expect(steps[0]?.stdout).toMatch(/portal\.duckdns\.org\s+A\s+duckdns\s+updated\s+81\.2\.69\.160/);
  });
});
