#!/usr/bin/env node
/** The `ddnsd` executable. */
import { main } from './cli.js';

main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ddnsd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
