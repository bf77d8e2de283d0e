/**
 * What the command line (src/cli.ts) and the commands share: the options,
 * the parsed command line and the Command type. A leaf, so no command imports
 * cli.ts back.
 */
import type { parseArgs } from 'node:util';

export interface CliIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTTY: boolean;
  /** The file the running `ddnsd` started from (bin.js), for the services that start it again. */
  program: string;
  /** Read by hash-password. */
  stdin?: AsyncIterable<Buffer | string>;
}

export const OPTIONS = {
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
  from: { type: 'string' },
  write: { type: 'string' },
} as const;

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The command line as understood: the command's name, the options and the words after the command. */
export interface CommandLine {
  command: string;
  values: Values;
  positionals: string[];
}

/** A command: runs and gives the exit status. Its module's default export. */
export type Command = (line: CommandLine, io: CliIo) => Promise<number>;
