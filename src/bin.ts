#!/usr/bin/env node
/**
 * The `ddnsd` executable. A lone --version or --help is answered at once, and
 * `health` with DDNSD_LISTEN set (the container's health check) asks the
 * daemon before anything else loads; anything else goes to cli.ts, loaded only
 * then (the bundle's bin.cjs is built from this file, so these start without
 * Node's ES module loader).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './cli.js';
import type { Program } from './code-cache.js';
import { enableCompileCache } from './compile-cache.js';
import { HELP } from './help.js';
import { VERSION } from './base/version.js';

const QUICK: Record<string, string> = { '--version': VERSION, '-v': VERSION, '--help': HELP, '-h': HELP };
const argv = process.argv.slice(2);
const quick = argv.length === 1 ? QUICK[argv[0] as string] : undefined;
const write = (text: string): boolean => process.stdout.write(text);
/** Commands that start from a code cache (src/code-cache.ts); `run` stays up, and its start matters little. */
const ONE_SHOT = new Set(['once', 'check', 'doctor', 'health']);

/** Defined (true) by the single executable's build (scripts/sea/build.mjs). */
declare const __DDNSD_SEA__: boolean;
const SEA = typeof __DDNSD_SEA__ !== 'undefined';

/** The whole program in one file: the single executable's asset, or ddnsd.cjs beside bin.cjs (absent in the tsc build). */
async function wholeProgram(): Promise<Program | undefined> {
  // The build writes the program's hash beside it (ddnsd.cjs.sha256): the cache's name, without hashing 2 MB at every start.
  if (SEA) {
    const { getAsset } = await import('node:sea');
    return { source: getAsset('ddnsd.cjs', 'utf8'), filename: process.execPath, hash: getAsset('ddnsd.cjs.sha256', 'utf8').trim(), require: await seaRequire(getAsset) };
  }
  const filename = join(dirname(fileURLToPath(import.meta.url)), 'ddnsd.cjs');
  if (!existsSync(filename)) return undefined;
  const hash = existsSync(`${filename}.sha256`) ? readFileSync(`${filename}.sha256`, 'utf8').trim() : undefined;
  return { source: readFileSync(filename, 'utf8'), filename, ...(hash ? { hash } : {}) };
}

/**
 * The single executable's require(): the libraries the build keeps apart
 * (ddnsd-lib.cjs, an asset like the program) compiled at their first use;
 * Node.js's own modules as usual.
 */
async function seaRequire(getAsset: (name: string, encoding: 'utf8') => string): Promise<NodeJS.Require> {
  const { createRequire } = await import('node:module');
  const { runScript } = await import('./code-cache.js');
  const node = createRequire(process.execPath);
  let lib: unknown;
  const require = (id: string): unknown =>
    id === './ddnsd-lib.cjs' ? (lib ??= runScript({ source: getAsset('ddnsd-lib.cjs', 'utf8'), filename: process.execPath, require: node })) : node(id);
  return Object.assign(require, node);
}

/**
 * Runs a one-shot command from its code cache when there is a cache folder and
 * the one-file build. The single executable runs every command from its copy.
 */
async function fromCodeCache(io: CliIo): Promise<number | undefined> {
  const command = argv[0] ?? '';
  const oneShot = ONE_SHOT.has(command) && process.env.DDNSD_CODE_CACHE !== '0';
  // Before anything is compiled, so that the code cache is made and read under the same flags.
  if (ONE_SHOT.has(command)) (await import('./base/v8.js')).oneShotV8();
  if (!oneShot && !SEA) return undefined;
  const program = await wholeProgram();
  if (!program) return undefined;
  const { cacheFolder, runWithCodeCache } = await import('./code-cache.js');
  const folder = oneShot ? cacheFolder(process.env) : undefined;
  if (!folder && !SEA) return undefined;
  const run = runWithCodeCache<{ main: (io: CliIo) => Promise<number> }>(program, command, folder);
  const code = await run.exports.main(io);
  run.save();
  return code;
}

async function start(): Promise<number> {
  const listen = process.env.DDNSD_LISTEN;
  if (argv.length === 1 && argv[0] === 'health' && listen) {
    // Healthy is answered here; any other answer goes on to the command, which asks again and reads the config for the reasons.
    const { quickHealth } = await import('./health.js');
    if (await quickHealth(listen, write)) return 0;
  }
  const io: CliIo = {
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: write,
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    // A getter: reading process.stdin opens it, which loads Node's file-stream and readline modules (about 1 MiB) for commands that never read it.
    get stdin() {
      return process.stdin;
    },
    program: fileURLToPath(import.meta.url),
  };
  const cached = await fromCodeCache(io);
  if (cached !== undefined) return cached;
  // Before any command's module is loaded.
  enableCompileCache();
  const { main } = await import('./cli.js');
  return main(io);
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
