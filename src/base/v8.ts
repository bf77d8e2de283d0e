/**
 * V8 settings for a small, long-running process. undici parses HTTP with a
 * WebAssembly module, compiled at the first request; compiling it with V8's
 * optimizing compiler costs about 30 MiB of memory, for speed ddnsd's few
 * requests never need. The baseline compiler alone keeps that memory free
 * (see docs/performance.md). The HTTP helper sets the flag as it is created
 * (src/base/http.ts), so commands that make no request do not load node:v8.
 */
import { setFlagsFromString } from 'node:v8';

export const LEAN_V8_FLAGS = ['--liftoff-only'] as const;

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
