/**
 * V8 settings for a small, long-running process, applied before anything
 * else is loaded (bin.ts). undici parses HTTP with a WebAssembly module;
 * compiling it with V8's optimizing compiler costs about 30 MiB of memory at
 * the first request, for speed ddnsd's few requests never need. The baseline
 * compiler alone keeps that memory free (see docs/performance.md).
 */
import { setFlagsFromString } from 'node:v8';

export const LEAN_V8_FLAGS = ['--liftoff-only'] as const;

export function leanV8(): void {
  for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
}
