/** Runs `ddnsd run` for a fault scenario: waits for a settled status, collects every output, stops it. */
import { startCli, tempDir, writeConfig, type RunningCli } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';
import type { Status } from '../../src/status.js';

export interface Observed {
  status: Status;
  health: number;
  exitCode: number | null;
  /** stdout, stderr and every HTTP body the scenario read. */
  outputs: string[];
  dir: string;
}

export interface DaemonOptions {
  env?: Record<string, string>;
  dir?: string;
  /** Settled when this holds for the status; by default when no host is pending any more. */
  settled?: (status: Status) => boolean;
  timeoutMs?: number;
  /** Called while ddnsd runs, after the status settled. */
  during?: (url: string, cli: RunningCli, outputs: string[]) => Promise<void>;
}

export async function observeDaemon(yaml: string, options: DaemonOptions = {}): Promise<Observed> {
  const dir = options.dir ?? tempDir();
  writeConfig(dir, yaml);
  const cli = startCli(['run'], { cwd: dir, ...(options.env ? { env: options.env } : {}) });
  const outputs: string[] = [];
  try {
    const [, url] = await cli.waitFor(/Status page on (http:\/\/[^ "]+?)\/[ "]/);
    const settled = options.settled ?? ((s: Status) => s.lastCheck !== null && s.hosts.every((h) => h.status !== 'pending'));
    let status: Status | undefined;
    await until(
      async () => {
        const res = await fetch(`${url}/api/status`);
        const text = await res.text();
        outputs.push(text);
        status = JSON.parse(text) as Status;
        return settled(status);
      },
      options.timeoutMs ?? 60_000,
      'the status to settle',
    );
    await options.during?.(url as string, cli, outputs);
    const health = await fetch(`${url}/healthz`);
    outputs.push(await health.text());
    const finalStatus = await fetch(`${url}/api/status`);
    const finalText = await finalStatus.text();
    outputs.push(finalText);
    cli.kill('SIGTERM');
    const exit = await cli.exited;
    outputs.push(cli.stdout(), cli.stderr());
    return { status: JSON.parse(finalText) as Status, health: health.status, exitCode: exit.code, outputs, dir };
  } finally {
    cli.kill('SIGKILL');
  }
}

/** Seconds spent in cycles so far, and how many, from the text of /metrics. */
export function cycleTotals(metrics: string): { sum: number; count: number } {
  const value = (name: string): number => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  return { sum: value('ddnsd_cycle_duration_seconds_sum'), count: value('ddnsd_cycle_duration_seconds_count') };
}
