/**
 * One-shot commands start from compiled code: they run the whole program as
 * one script (the bundle's ddnsd.cjs, or the single executable's copy) with
 * V8's code cache of it, written after the command ran, so it holds the
 * functions the command compiled on its way and not only the top level (which
 * is all Node's own compile cache holds). One file per command in the user's
 * cache folder, named by the Node.js version, the architecture and the
 * script's hash, so a cache of another version or build is never read, and
 * written atomically; without a cache folder, nothing is written. V8 rejects a
 * cache made under other flags: the HTTP helper sets LEAN_V8_FLAGS before the
 * first request, so they are set here before the script is compiled, and the
 * cache is made under the flags it is read with. DDNSD_CODE_CACHE=0 turns it off.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { leanV8 } from './base/v8.js';

/** $XDG_CACHE_HOME/ddnsd, ~/.cache/ddnsd, or ~/Library/Caches/ddnsd on macOS; undefined without a home. */
export function cacheFolder(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform, home: string = safeHome()): string | undefined {
  if (env.XDG_CACHE_HOME?.startsWith('/')) return join(env.XDG_CACHE_HOME, 'ddnsd');
  if (!home || home === '/' || home === '/nonexistent') return undefined;
  return platform === 'darwin' ? join(home, 'Library/Caches/ddnsd') : join(home, '.cache/ddnsd');
}

function safeHome(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** How a script was started: from a cache V8 accepted, one it rejected, or none. */
export type CacheUse = 'accepted' | 'rejected' | 'none';

export interface CachedProgram<T> {
  exports: T;
  use: CacheUse;
  /** Writes the cache (atomically) when there was none or V8 rejected it; call after the command ran. */
  save(): void;
}

/**
 * The cache file for `command`: one per Node.js version, architecture and
 * script. The name is the script's hash (taken here when not given) and a
 * short FNV-1a hash of the version and architecture: node:crypto, which would
 * take its own hash, costs a dozen of Node's modules at every start, and a
 * name that collided would only give V8 a cache it rejects (it checks the
 * version, the flags and the source itself).
 */
export function cacheFile(folder: string, command: string, source: string, hash?: string): string {
  const script = hash ?? requireHere('node:crypto').createHash('sha256').update(source).digest('hex');
  // A prefix with no hyphen of its own, so the clean-up in save() matches this command's files only.
  return join(folder, `${command.replace(/[^a-z0-9]/gi, '_')}-${script.slice(0, 12)}${fnv1a(`${process.version}\0${process.arch}`)}.v8cache`);
}

const requireHere = createRequire(import.meta.url) as (id: 'node:crypto') => typeof import('node:crypto');

/** 32-bit FNV-1a of a string's UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** How many caches of one command are kept: another install of ddnsd (a global one and a project's) keeps its own rather than both rewriting theirs at every start. */
export const CACHES_KEPT = 3;

/** Removes this command's caches beyond the CACHES_KEPT most recently written (those of earlier versions and builds). */
function pruneCaches(folder: string, file: string): void {
  const prefix = basename(file).replace(/-[0-9a-f]+\.v8cache$/, '-');
  const caches = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.v8cache'))
    .map((name) => ({ name, written: name === basename(file) ? Infinity : statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.written - a.written);
  for (const old of caches.slice(CACHES_KEPT)) rmSync(join(folder, old.name), { force: true });
}

/** The program as one CommonJS source: the bundle's ddnsd.cjs, or the single executable's copy of it. */
export interface Program {
  source: string;
  /** Where it reads from, for stack traces and require(). */
  filename: string;
  /** The source's sha256 in hex, as the build wrote it; taken from the source when absent. */
  hash?: string;
  /** What the program's require() gets (the single executable's finds the libraries kept apart); Node's, from filename, when absent. */
  require?: NodeJS.Require;
}

/** Runs a CommonJS source as Node.js runs a module file: its exports. */
function evaluate<T>(script: Script, filename: string, require: NodeJS.Require): T {
  const mod = { exports: {} as T };
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  wrapper.call(mod.exports, mod.exports, require, mod, filename, dirname(filename));
  return mod.exports;
}

/** Compiles and runs a CommonJS source without a code cache (the libraries the single executable keeps apart). */
export function runScript<T>(program: Program): T {
  return evaluate<T>(new Script(module.wrap(program.source), { filename: program.filename }), program.filename, program.require ?? createRequire(program.filename));
}

/**
 * Runs a program compiled with its code cache for `command` in `folder`
 * (without a folder: compiled as is, and nothing is written).
 */
export function runWithCodeCache<T>(program: Program, command: string, folder: string | undefined): CachedProgram<T> {
  const { source, filename, hash } = program;
  const file = folder === undefined ? undefined : cacheFile(folder, command, source, hash);
  let cachedData: Buffer | undefined;
  try {
    cachedData = file === undefined ? undefined : readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  // Before compiling: the cache is made after these are set, and must be read under the same flags.
  leanV8();
  // A #! line is valid at the start of a file only, not inside the wrapper.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new Script(module.wrap(body), { filename, ...(cachedData ? { cachedData } : {}) });
  const use: CacheUse = !cachedData ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'accepted';
  // V8 has read it: the megabyte or so need not live as long as the command.
  cachedData = undefined;
  return {
    exports: evaluate<T>(script, filename, program.require ?? createRequire(filename)),
    use,
    save() {
      if (use === 'accepted' || folder === undefined || file === undefined) return;
      try {
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, file);
        pruneCaches(folder, file);
      } catch {
        rmSync(`${file}.${process.pid}.tmp`, { force: true });
      }
    },
  };
}
