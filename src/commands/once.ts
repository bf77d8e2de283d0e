/** `ddnsd once [--dry-run] [--force]`: one cycle and a summary of every host; exit 0 when all are up to date. */
import type { CliIo, Command } from './types.js';
import type { Config } from '../config/load.js';
import type { CycleReport } from '../cycle/index.js';
import { FAMILY_LABEL } from '../base/address.js';
import type { Logger, Redactor } from '../base/log.js';
import { createRuntime } from '../main.js';
import { withConfig } from './setup.js';

const onceCommand: Command = (line, io) =>
  withConfig(line, io, ({ config, log, redactor }) => once(config, log, redactor, io, { dryRun: line.values['dry-run'] === true, force: line.values.force === true }));

export default onceCommand;

async function once(config: Config, log: Logger, redactor: Redactor, io: CliIo, flags: { dryRun: boolean; force: boolean }): Promise<number> {
  const { dryRun } = flags;
  const runtime = await createRuntime(config, { log, redactor });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await runtime.cycle(1, abort.signal, dryRun, flags.force);
    io.stdout(redactor.redact(summarize(report, config, dryRun)));
    const stateError = runtime.status().stateError;
    if (stateError) {
      // Without the state the next run knows nothing of what was sent: it sends every host again.
      io.stderr(
        `ddnsd: ${redactor.redact(stateError)}; the next run will send every host again. Check the folder's permissions and free space, or point state (DDNSD_STATE) elsewhere.\n`,
      );
    }
    return report.ok && !stateError && !abort.signal.aborted ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.close();
  }
}

const ACTION_WORDS: Record<string, string> = {
  updated: 'updated',
  unchanged: 'up to date (confirmed by the provider)',
  current: 'up to date (nothing sent)',
  'would-update': 'would update (dry run)',
  failed: 'FAILED',
  'needs-attention': 'NEEDS ATTENTION',
  paused: 'PAUSED',
  skipped: 'SKIPPED',
  cancelled: 'CANCELLED',
};

/** The human-readable summary that `ddnsd once` prints. */
export function summarize(report: CycleReport, config: Config, dryRun: boolean): string {
  const lines: string[] = [];
  for (const d of report.detections) {
    const label = FAMILY_LABEL[d.family];
    // The detector's error starts with the family ("IPv4 not detected: …", "IPv4 sources disagree …"): said once here.
    const reason = (d.error ?? 'unknown reason').replace(new RegExp(`^${label} (not detected: )?`), '');
    lines.push(d.address ? `${label}  ${d.address}  (agreed by ${d.agreeing.join(', ')})` : `${label}  not detected: ${reason}`);
  }
  if (config.providers.length === 0) lines.push('No providers are configured: nothing to update. See config.example.yaml.');
  const width = Math.max(0, ...report.hosts.map((h) => h.host.length));
  const providerWidth = Math.max(0, ...report.hosts.map((h) => h.provider.length));
  for (const h of report.hosts) {
    const record = h.family === 'ipv4' ? 'A   ' : 'AAAA';
    const what = ACTION_WORDS[h.action] ?? h.action;
    const detail = h.message ? `: ${h.message}` : h.address ? `  ${h.address}` : '';
    lines.push(`${h.host.padEnd(width)}  ${record}  ${h.provider.padEnd(providerWidth)}  ${what}${detail}`);
  }
  lines.push(`Cycle took ${((report.finishedAt - report.startedAt) / 1000).toFixed(2)} s.`);
  if (dryRun) lines.push('Dry run: nothing was sent and the state file was not written.');
  return `${lines.join('\n')}\n`;
}
