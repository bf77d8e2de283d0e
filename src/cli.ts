#!/usr/bin/env node
/**
 * The command line: `ddnsd run | once [--dry-run] [--force] | check | health | hash-password | service`, with exit codes
 * 0 (fine), 1 (a host or detection failed, or ddnsd could not start) and
 * 2 (the config is invalid).
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { PROVIDERS } from '../providers/index.js';
import { effectiveConfig, loadConfig, type Config } from './config/load.js';
import type { CycleReport } from './cycle/index.js';
import { FAMILY_LABEL } from './detect/address.js';
import { ConfigError } from './errors.js';
import { doctorDefaults } from './reach/config.js';
import { doctorReport } from './reach/doctor.js';
import { hashPassword } from './password.js';
import { createLogger, createRedactor, parseLevel, type Logger, type Redactor } from './log.js';
import { checkHealth, createRuntime, startDaemon, STOP_GRACE_MS } from './main.js';
import { applyPlan, defaultConfigPath, installPlan, uninstallPlan, type ServiceManager, type ServicePlan } from './service/index.js';
import { VERSION } from './version.js';

const HELP = `ddnsd ${VERSION}: keeps DNS hostnames pointed at this network's external IP address.

Usage:
  ddnsd [run]             check the address every interval, update providers, serve the status page
  ddnsd once [--dry-run] [--force]
                          one cycle, a summary of every host; exit 0 when all are up to date, 1 if not;
                          --force also retries hosts paused after a network or server error
  ddnsd check             validate the config and print it as understood, secrets redacted
  ddnsd doctor            is the server reachable? check each link once (address, DNS, port from outside,
                          router forward, LAN address) and print what to fix; exit 0 when nothing fails, 1 if not
                          (also: ddnsd check --reach)
  ddnsd health            ask the running ddnsd's /healthz; exit 0 healthy, 1 not (for container health checks)
  ddnsd hash-password     read a password from stdin and print its hash for server.password_hash (auth: basic)
  ddnsd service install --launchd | --systemd [--config FILE] [--user NAME] [--print] [--root DIR]
                          write a launchd daemon (macOS) or systemd unit (Linux) that runs ddnsd at boot,
                          and print the commands that start it; --print only shows the file
  ddnsd service uninstall [--launchd | --systemd] [--root DIR]
                          remove it again (state, config and logs are kept)

Options:
  -c, --config FILE       config file (default: $DDNSD_CONFIG, else ./config.yaml)
  -n, --dry-run           with once: detect and decide, but send no update and write no state
      --reach             with check: run the reachability checks too (as ddnsd doctor)
  -f, --force             with once: retry hosts paused after a transient failure now (never a provider's
                          own pause such as No-IP's 911, a rate limit, or a rejected credential)
  -v, --version           print the version
  -h, --help              print this help

Environment:
  DDNSD_CONFIG            config file when --config is not given
  DDNSD_LISTEN            replaces server.listen, e.g. 0.0.0.0:8080 (the container image sets it)
  DDNSD_STATE             replaces state, e.g. /data/state.json (the container image sets it)
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
  /** Read by hash-password. */
  stdin?: AsyncIterable<Buffer | string>;
}

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  'dry-run': { type: 'boolean', short: 'n' },
  reach: { type: 'boolean' },
  force: { type: 'boolean', short: 'f' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  launchd: { type: 'boolean' },
  systemd: { type: 'boolean' },
  user: { type: 'string' },
  print: { type: 'boolean' },
  root: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The command line understood, or the exit status after saying what was wrong with it. */
function parseCommandLine(io: CliIo): { command: string; values: Values; positionals: string[] } | number {
  let parsed;
  try {
    parsed = parseArgs({ args: io.argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    io.stderr(`ddnsd: ${(error as Error).message}\nRun ddnsd --help for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'run';
  const alone = command === 'service' || (command === 'hash-password' && positionals.length === 1);
  if (values.help || values.version || alone) return { command, values, positionals };
  const serviceOnly = (['launchd', 'systemd', 'user', 'print', 'root'] as const).find((k) => values[k] !== undefined);
  if (serviceOnly) {
    io.stderr(`ddnsd: --${serviceOnly} goes with ddnsd service install or uninstall.\n`);
    return 2;
  }
  if (!['run', 'once', 'check', 'doctor', 'health'].includes(command) || positionals.length > 1) {
    io.stderr(`ddnsd: unknown command "${positionals.join(' ')}"; use run, once, check, doctor, health, hash-password or service.\nRun ddnsd --help for usage.\n`);
    return 2;
  }
  if (values.reach && command !== 'check') {
    io.stderr('ddnsd: --reach goes with check (or run ddnsd doctor).\n');
    return 2;
  }
  const onceOnly = (['dry-run', 'force'] as const).find((k) => values[k] !== undefined);
  if (onceOnly && command !== 'once') {
    io.stderr(`ddnsd: --${onceOnly} goes with once.\n`);
    return 2;
  }
  return { command, values, positionals };
}

export async function main(io: CliIo): Promise<number> {
  const parsed = parseCommandLine(io);
  if (typeof parsed === 'number') return parsed;
  const { command, values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (command === 'service') return service(positionals.slice(1), values, io);
  if (command === 'hash-password') return hashPasswordCommand(io);

  const redactor = createRedactor();
  const format = io.env.LOG_FORMAT === 'json' ? 'json' : io.env.LOG_FORMAT === 'pretty' || io.stderrIsTTY ? 'pretty' : 'json';
  // `once` prints its own summary; its log shows only warnings and errors unless asked for more.
  const level = io.env.LOG_LEVEL ? parseLevel(io.env.LOG_LEVEL) : command === 'once' ? 'warn' : 'info';
  const log = createLogger({ format, level, redactor, write: io.stderr });

  let config: Config;
  try {
    config = loadConfig({ providers: PROVIDERS, path: values.config, env: io.env, cwd: io.cwd });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`ddnsd: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  for (const secret of config.secrets) redactor.add(secret);

  try {
    if (command === 'doctor' || (command === 'check' && values.reach)) return await doctor(config, log, redactor, io);
    if (command === 'check') {
      io.stdout(stringify(effectiveConfig(config)));
      io.stderr(`ddnsd: the config is valid (${config.file ?? 'built-in default'}).\n`);
      return 0;
    }
    if (command === 'health') {
      const probe = await checkHealth(config);
      (probe.ok ? io.stdout : io.stderr)(`ddnsd: ${redactor.redact(probe.reason)}\n`);
      return probe.ok ? 0 : 1;
    }
    if (command === 'once') return await once(config, log, redactor, io, { dryRun: values['dry-run'] === true, force: values.force === true });
    return await run(config, log, redactor);
  } catch (error) {
    log.error((error as Error).message);
    return 1;
  }
}

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
    return report.ok && !abort.signal.aborted ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.close();
  }
}

/** `ddnsd doctor`: detect once (nothing sent, no state written), run every check once, print the chain. */
async function doctor(config: Config, log: Logger, redactor: Redactor, io: CliIo): Promise<number> {
  // Without checks: in the config, the DNS check still runs (it needs nothing but the hosts).
  const checks = config.checks ?? doctorDefaults();
  const runtime = await createRuntime({ ...config, checks, notify: [] }, { log, redactor });
  try {
    const signal = AbortSignal.timeout(60_000);
    const detections = await Promise.all(runtime.detector.families.map((f) => runtime.detector.detect(f, signal)));
    for (const d of detections) if (d.address) runtime.state.detected[d.family] = { address: d.address, at: Date.now() };
    const results = (await runtime.reach?.check(signal)) ?? [];
    const configured = { dns: checks.dns !== undefined, port: checks.port !== undefined, forward: checks.forward !== undefined };
    const report = doctorReport({ detections, results, configured, state: runtime.state, now: Date.now() });
    io.stdout(redactor.redact(report.text));
    return report.ok ? 0 : 1;
  } finally {
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

/** `ddnsd hash-password`: the password from stdin (one line, or a pipe), its scrypt hash on stdout. */
async function hashPasswordCommand(io: CliIo): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin ?? []) chunks.push(Buffer.from(chunk));
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length < 8) {
    io.stderr('ddnsd: give a password of at least 8 characters on stdin, e.g.  printf %s "$PASSWORD" | ddnsd hash-password\n');
    return 2;
  }
  io.stdout(`${await hashPassword(password)}\n`);
  io.stderr('ddnsd: put this line in the config as server.password_hash (with auth: basic and a username).\n');
  return 0;
}

interface ServiceOptions {
  config?: string | undefined;
  launchd?: boolean | undefined;
  systemd?: boolean | undefined;
  user?: string | undefined;
  print?: boolean | undefined;
  root?: string | undefined;
}

/** `ddnsd service install | uninstall`: the plan comes from src/service/, this only prints and applies it. */
function service(args: string[], values: ServiceOptions, io: CliIo): number {
  const action = args[0];
  if ((action !== 'install' && action !== 'uninstall') || args.length > 1) {
    io.stderr('ddnsd: use ddnsd service install --launchd | --systemd, or ddnsd service uninstall.\nRun ddnsd --help for usage.\n');
    return 2;
  }
  if (values.launchd && values.systemd) {
    io.stderr('ddnsd: choose one of --launchd (macOS) or --systemd (Linux).\n');
    return 2;
  }
  const manager: ServiceManager | undefined = values.launchd ? 'launchd' : values.systemd ? 'systemd' : action === 'uninstall' ? (process.platform === 'darwin' ? 'launchd' : 'systemd') : undefined;
  if (!manager) {
    io.stderr('ddnsd: say which service manager: --launchd on macOS, --systemd on Linux.\n');
    return 2;
  }
  if (values.user !== undefined && (manager !== 'systemd' || !/^[a-z_][a-z0-9_-]*$/i.test(values.user))) {
    io.stderr(manager !== 'systemd' ? 'ddnsd: --user goes with --systemd.\n' : `ddnsd: --user "${values.user}" is not a user name; give an existing account like ddnsd.\n`);
    return 2;
  }
  if (values.root !== undefined && !isAbsolute(values.root)) {
    io.stderr(`ddnsd: --root "${values.root}" must be an absolute path.\n`);
    return 2;
  }
  let plan: ServicePlan;
  if (action === 'install') {
    // The paths this very ddnsd runs from, so the service starts the same program.
    const bin = realpathSync(fileURLToPath(new URL('./bin.js', import.meta.url)));
    const config = values.config === undefined ? undefined : resolve(io.cwd, values.config);
    plan = installPlan({ manager, node: realpathSync(process.execPath), bin, config, user: values.user });
    const configPath = config ?? defaultConfigPath(manager);
    if (!existsSync(configPath)) {
      const example = resolve(bin, '../../../config.example.yaml');
      plan.notes.push(`${configPath} does not exist yet: create it from ${example} before starting the service`);
    }
  } else {
    if (values.config !== undefined || values.user !== undefined) {
      io.stderr('ddnsd: service uninstall takes no --config or --user.\n');
      return 2;
    }
    plan = uninstallPlan(manager);
  }
  if (values.print) {
    for (const file of plan.files) io.stdout(file.content);
    const say = [...plan.remove.map((p) => `would remove ${p}`), ...plan.notes, 'then run:', ...plan.commands.map((c) => `  ${c}`)];
    io.stderr(`${say.map((l) => `# ${l}`).join('\n')}\n`);
    return 0;
  }
  let done;
  try {
    done = applyPlan(plan, values.root ?? '/');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint = code === 'EACCES' || code === 'EPERM' ? '; run it with sudo' : '';
    io.stderr(`ddnsd: ${(error as Error).message}${hint}\n`);
    return 1;
  }
  const lines = [
    ...done.written.map((p) => `wrote ${p}`),
    ...done.removed.map((p) => `removed ${p}`),
    ...(action === 'uninstall' && done.removed.length === 0 ? ['nothing to remove: no ddnsd service file was there'] : []),
    ...plan.notes,
    action === 'install' ? 'start it with:' : 'if it still runs, stop it with:',
    ...plan.commands.map((c) => `  ${c}`),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
