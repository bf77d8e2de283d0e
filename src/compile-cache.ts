/**
 * Node.js 22.1 and later keep V8's compiled code of the modules ddnsd loads
 * in a cache folder (in the OS temp folder, or NODE_COMPILE_CACHE), so every
 * start after the first compiles far less. Older Node.js lacks it and starts
 * as before; a cache that cannot be written is skipped the same way.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. Enabled by bin.ts before any
 * command's module is loaded.
 */
import module from 'node:module';

export function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: () => unknown }).enableCompileCache;
  try {
    enable?.();
  } catch {
    // A cache is an optimisation only.
  }
}
