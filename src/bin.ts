#!/usr/bin/env node
/**
 * The `ddnsd` executable. A lone --version or --help is answered at once, and
 * `health` with DDNSD_LISTEN set (the container's health check) asks the
 * daemon before anything else loads; anything else goes to cli.ts, loaded only
 * then (the bundle's bin.cjs is built from this file, so these start without
 * Node's ES module loader).
 */
import { fileURLToPath } from 'node:url';
import { enableCompileCache } from './compile-cache.js';
import { HELP } from './help.js';
import { VERSION } from './base/version.js';

const QUICK: Record<string, string> = { '--version': VERSION, '-v': VERSION, '--help': HELP, '-h': HELP };
const argv = process.argv.slice(2);
const quick = argv.length === 1 ? QUICK[argv[0] as string] : undefined;
const write = (text: string): boolean => process.stdout.write(text);

async function start(): Promise<number> {
  const listen = process.env.DDNSD_LISTEN;
  if (argv.length === 1 && argv[0] === 'health' && listen) {
    // Healthy is answered here; any other answer goes on to the command, which asks again and reads the config for the reasons.
    const { quickHealth } = await import('./health.js');
    if (await quickHealth(listen, write)) return 0;
  }
  // Before any command's module is loaded.
  enableCompileCache();
  const { main } = await import('./cli.js');
  return main({
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: write,
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdin: process.stdin,
    program: fileURLToPath(import.meta.url),
  });
}

if (quick !== undefined) {
  write(`${quick}\n`);
} else {
  start().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ddnsd: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
