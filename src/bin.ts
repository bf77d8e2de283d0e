#!/usr/bin/env node
/** The `ddnsd` executable. */
import { fileURLToPath } from 'node:url';
import { main } from './cli.js';
import { enableCompileCache, leanV8 } from './v8.js';

// Before any command's module is loaded (cli.ts loads them when they run).
leanV8();
enableCompileCache();

main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
  program: fileURLToPath(import.meta.url),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ddnsd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
