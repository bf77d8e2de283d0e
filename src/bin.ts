#!/usr/bin/env node
/** The `ddnsd` executable. */
import { leanV8 } from './v8.js';

// Before the rest is loaded (hence the dynamic import).
leanV8();
const { main } = await import('./cli.js');

main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
  stdin: process.stdin,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ddnsd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
