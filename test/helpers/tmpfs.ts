/** A small tmpfs of our own, as root: the only way to make a folder truly read-only or full for root. */
import { execFileSync } from 'node:child_process';
import { tempDir } from './cli.js';

export function mountTmpfs(dir: string, size: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine lets the tests mount one (root in a container with CAP_SYS_ADMIN). */
export const canMount = (() => {
  const probe = tempDir();
  if (!mountTmpfs(probe, '16k')) return false;
  execFileSync('umount', [probe]);
  return true;
})();
