/**
 * V8 settings for a small, long-running process. undici parses HTTP with a
 * WebAssembly module, compiled at the first request; compiling it with V8's
 * optimizing compiler costs about 30 MiB of memory, for speed ddnsd's few
 * requests never need. The baseline compiler alone keeps that memory free
 * (see docs/performance.md). The young generation stays at its first size
 * (growth factor 1): left to grow, it takes 5 MiB more for a process that
 * allocates little at a time; unlike --max-semi-space-size this works when
 * set from inside the process. The HTTP helper sets the flags as it is
 * created (src/base/http.ts), so commands that make no request do not load
 * node:v8.
 */
import { setFlagsFromString } from 'node:v8';

export const LEAN_V8_FLAGS = ['--liftoff-only', '--semi-space-growth-factor=1'] as const;

/**
 * For the one-shot commands (once, check, doctor, health), set before their
 * code is compiled: no optimizing compiler and no baseline compiler. They run
 * for a fraction of a second, too short for optimized code to pay for its
 * compiling, and the parts of Node.js that compile it are never paged in
 * (about 2 MiB of peak memory and 20 ms of CPU, docs/performance.md). The
 * daemon keeps them: its status server is meant to answer thousands of
 * requests a second.
 */
export const ONE_SHOT_V8_FLAGS = ['--no-opt', '--no-sparkplug'] as const;

/** Sets ONE_SHOT_V8_FLAGS, before a one-shot command's code is compiled. */
export function oneShotV8(): void {
  for (const flag of ONE_SHOT_V8_FLAGS) setFlagsFromString(flag);
}

let lean = false;

/** Sets LEAN_V8_FLAGS, once per process (every HTTP client asks). */
export function leanV8(): void {
  if (lean) return;
  lean = true;
  for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
}

/**
 * Flags for Node.js wherever ddnsd starts it (the launchd and systemd
 * services; the image and the single executable take them from NODE_OPTIONS):
 * a young generation of at most 1 MiB per semi-space. Left to itself V8 grows
 * it under ddnsd's steady allocation and the resident memory steps up, for no
 * gain in a process that does a little work every few minutes
 * (docs/performance.md; --optimize-for-size was measured beside it and gave
 * nothing consistent). It must be given at start: set from inside the
 * process it comes too late.
 */
export const NODE_FLAGS = ['--max-semi-space-size=1'] as const;
