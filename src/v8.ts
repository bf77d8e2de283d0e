/**
 * V8 settings for a small, long-running process, applied before anything
 * else is loaded (bin.ts). undici parses HTTP with a WebAssembly module;
 * compiling it with V8's optimizing compiler costs about 30 MiB of memory at
 * the first request, for speed ddnsd's few requests never need. The baseline
 * compiler alone keeps that memory free (see docs/performance.md).
 */
import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

export const LEAN_V8_FLAGS = ['--liftoff-only'] as const;

export function leanV8(): void {
  for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
}

/**
 * Node.js 22.1 and later keep V8's compiled code of the modules ddnsd loads
 * in a cache folder (in the OS temp folder, or NODE_COMPILE_CACHE), so every
 * start after the first compiles far less. Older Node.js lacks it and starts
 * as before; a cache that cannot be written is skipped the same way.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
export function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: () => unknown }).enableCompileCache;
  try {
    enable?.();
  } catch {
    // A cache is an optimisation only.
  }
}

/**
 * Flags for node's own command line wherever ddnsd starts it (the container,
 * the launchd and systemd services): a young generation of at most 2 MiB per
 * semi-space. Left to itself V8 grows it under ddnsd's steady allocation and
 * the resident memory steps up by 25 MiB or more, for no gain in a process
 * that does a little work every few minutes (docs/performance.md).
 */
export const NODE_FLAGS = ['--max-semi-space-size=2'] as const;
