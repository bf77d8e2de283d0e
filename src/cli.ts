#!/usr/bin/env node
/**
 * The command line: `ddnsd run | once [--dry-run] | check`, with exit codes
 * 0 (fine), 1 (a host or detection failed, or ddnsd could not start) and
 * 2 (the config is invalid).
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { effectiveConfig, loadConfig, type Config } from './config/load.js';
import type { CycleReport } from './cycle.js';
import { FAMILY_LABEL } from './detect/address.js';
import { ConfigError } from './errors.js';
import { createLogger, createRedactor, parseLevel, type Logger, type Redactor } from './log.js';
import { createRuntime, startDaemon, STOP_GRACE_MS } from './main.js';
import { VERSION } from './version.js';

const HELP = `ddnsd ${VERSION}: keeps DNS hostnames pointed at this network's external IP address.

Usage:
  ddnsd [run]             check the address every interval, update providers, serve the status page
  ddnsd once [--dry-run]  one cycle, a summary of every host; exit 0 when all are up to date, 1 if not
  ddnsd check             validate the config and print it as understood, secrets redacted

Options:
  -c, --config FILE       config file (default: $DDNSD_CONFIG, else ./config.yaml)
  -n, --dry-run           with once: detect and decide, but send no update and write no state
  -v, --version           print the version
  -h, --help              print this help

Environment:
  DDNSD_CONFIG            config file when --config is not given
  LOG_FORMAT              json or pretty (default: pretty on a terminal, json otherwise)
  LOG_LEVEL               debug, info, warn or error (default: info)

Exit status: 0 fine, 1 a host or detection failed (once) or ddnsd could not start, 2 invalid config.`;

export interface CliIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTTY: boolean;
}

export async function main(io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: io.argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        'dry-run': { type: 'boolean', short: 'n' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`ddnsd: ${(error as Error).message}\nRun ddnsd --help for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'run';
  if (!['run', 'once', 'check'].includes(command) || positionals.length > 1) {
    io.stderr(`ddnsd: unknown command "${positionals.join(' ')}"; use run, once or check.\nRun ddnsd --help for usage.\n`);
    return 2;
  }
  if (values['dry-run'] && command !== 'once') {
    io.stderr('ddnsd: --dry-run goes with once.\n');
    return 2;
  }

  const redactor = createRedactor();
  const format = io.env.LOG_FORMAT === 'json' ? 'json' : io.env.LOG_FORMAT === 'pretty' || io.stderrIsTTY ? 'pretty' : 'json';
  // `once` prints its own summary; its log shows only warnings and errors unless asked for more.
  const level = io.env.LOG_LEVEL ? parseLevel(io.env.LOG_LEVEL) : command === 'once' ? 'warn' : 'info';
  const log = createLogger({ format, level, redactor, write: io.stderr });

  let config: Config;
  try {
    config = loadConfig({ path: values.config, env: io.env, cwd: io.cwd });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`ddnsd: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const secret of config.secrets) redactor.add(secret);

  try {
    if (command === 'check') {
      io.stdout(stringify(effectiveConfig(config)));
      io.stderr(`ddnsd: the config is valid (${config.file ?? 'built-in default'}).\n`);
      return 0;
    }
    if (command === 'once') return await once(config, log, redactor, io, values['dry-run'] === true);
    return await run(config, log, redactor);
  } catch (error) {
    log.error((error as Error).message);
    return 1;
  }
}

async function once(config: Config, log: Logger, redactor: Redactor, io: CliIo, dryRun: boolean): Promise<number> {
  const runtime = await createRuntime(config, { log, redactor });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await runtime.cycle(1, abort.signal, dryRun);
    io.stdout(redactor.redact(summarize(report, config, dryRun)));
    return report.ok && !abort.signal.aborted ? 0 : 1;
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
    lines.push(d.address ? `${label}  ${d.address}  (agreed by ${d.agreeing.join(', ')})` : `${label}  not detected: ${d.error ?? 'unknown reason'}`);
  }
  if (config.providers.length === 0) lines.push('No providers are configured: nothing to update. See config.example.yaml.');
  const width = Math.max(0, ...report.hosts.map((h) => h.host.length));
  for (const h of report.hosts) {
    const record = h.family === 'ipv4' ? 'A   ' : 'AAAA';
    const what = ACTION_WORDS[h.action] ?? h.action;
    const detail = h.message ? `: ${h.message}` : h.address ? `  ${h.address}` : '';
    lines.push(`${h.host.padEnd(width)}  ${record}  ${h.provider}  ${what}${detail}`);
  }
  lines.push(`Cycle took ${((report.finishedAt - report.startedAt) / 1000).toFixed(2)} s.`);
  if (dryRun) lines.push('Dry run: nothing was sent and the state file was not written.');
  return `${lines.join('\n')}\n`;
}

async function run(config: Config, log: Logger, redactor: Redactor): Promise<number> {
  const daemon = await startDaemon(config, { log, redactor });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info(`Received ${signal}: finishing in-flight work and stopping`);
      // Whatever happens, do not outlive the service manager's patience.
      setTimeout(() => {
        log.error('Stopping took too long; exiting now');
        process.exit(1);
      }, STOP_GRACE_MS + 1500).unref();
      daemon.stop().then(resolve, (error: Error) => {
        log.error(`Error while stopping: ${error.message}`);
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  log.info('Stopped');
  return 0;
}
