#!/usr/bin/env node
/**
 * The command line: `ddnsd run | once [--dry-run] [--force] | check [--reach] | doctor | health | hash-password | service | import`, with exit codes
 * 0 (fine), 1 (a host or detection failed, or ddnsd could not start) and
 * 2 (the config is invalid).
 *
 * This module stays small: it parses the arguments and loads only the module
 * of the command given (COMMANDS), so `--version` and `--help` load nothing
 * else and `health` does not load what `run` needs.
 */
import { parseArgs } from 'node:util';
import { OPTIONS, type CliIo, type Command, type CommandLine } from './commands/types.js';
import { HELP } from './help.js';
import { VERSION } from './base/version.js';

export type { CliIo, Command, CommandLine, Values } from './commands/types.js';

/**
 * Every command and how to load it. To add one: a module in src/commands/
 * whose default export is a Command, and one line here.
 */
const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import('./commands/run.js'),
  once: () => import('./commands/once.js'),
  check: () => import('./commands/check.js'),
  doctor: () => import('./commands/doctor.js'),
  health: () => import('./commands/health.js'),
  'hash-password': () => import('./commands/hash-password.js'),
  service: () => import('./commands/service.js'),
  import: () => import('./commands/import.js'),
};

/** Commands that take their own words and options after the name (checked by the command). */
const OWN_ARGUMENTS = new Set(['service', 'import']);

function commandList(): string {
  const names = Object.keys(COMMANDS);
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** The command line understood, or the exit status after saying what was wrong with it. */
function parseCommandLine(io: CliIo): CommandLine | number {
  let parsed;
  try {
    parsed = parseArgs({ args: io.argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    io.stderr(`ddnsd: ${(error as Error).message}\nRun ddnsd --help for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'run';
  const alone = OWN_ARGUMENTS.has(command) || (command === 'hash-password' && positionals.length === 1);
  const importOnly = (['from', 'write'] as const).find((k) => values[k] !== undefined);
  if (importOnly && command !== 'import') {
    io.stderr(`ddnsd: --${importOnly} goes with import.\n`);
    return 2;
  }
  if (values.help || values.version || alone) return { command, values, positionals };
  const serviceOnly = (['launchd', 'systemd', 'user', 'print', 'root'] as const).find((k) => values[k] !== undefined);
  if (serviceOnly) {
    io.stderr(`ddnsd: --${serviceOnly} goes with ddnsd service install or uninstall.\n`);
    return 2;
  }
  if (!Object.hasOwn(COMMANDS, command) || positionals.length > 1) {
    io.stderr(`ddnsd: unknown command "${positionals.join(' ')}"; use ${commandList()}.\nRun ddnsd --help for usage.\n`);
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
  const line = parseCommandLine(io);
  if (typeof line === 'number') return line;
  if (line.values.help) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  if (line.values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[line.command] as () => Promise<{ default: Command }>;
  const { default: command } = await load();
  return command(line, io);
}
