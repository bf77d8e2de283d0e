#!/usr/bin/env node
/**
 * The `ddnsd` executable. A lone --version or --help is answered at once;
 * anything else goes to cli.ts, loaded only then (the bundle's bin.cjs is
 * built from this file, so it starts without Node's ES module loader).
 */
import { fileURLToPath } from 'node:url';
import { HELP } from './help.js';
import { VERSION } from './version.js';
import { enableCompileCache, leanV8 } from './v8.js';

const QUICK: Record<string, string> = { '--version': VERSION, '-v': VERSION, '--help': HELP, '-h': HELP };
const argv = process.argv.slice(2);
const quick = argv.length === 1 ? QUICK[argv[0] as string] : undefined;

if (quick !== undefined) {
  process.stdout.write(`${quick}\n`);
} else {
  // Before any command's module is loaded.
  leanV8();
  enableCompileCache();
  import('./cli.js')
    .then(({ main }) =>
      main({
        argv,
        env: process.env,
        cwd: process.cwd(),
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        stderrIsTTY: process.stderr.isTTY === true,
        stdin: process.stdin,
        program: fileURLToPath(import.meta.url),
      }),
    )
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.stderr.write(`ddnsd: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
}
