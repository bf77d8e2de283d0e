/**
 * How a service starts ddnsd: `node <NODE_FLAGS> <bin>` for the npm-installed
 * command, or the single executable alone (then node and bin are the same
 * file), which takes the flags from NODE_OPTIONS (only those Node.js allows
 * there: it refuses, for one, --optimize-for-size).
 */
import { NODE_FLAGS } from '../base/v8.js';

export interface ServiceCommand {
  argv: string[];
  env: Record<string, string>;
}

export function serviceCommand(node: string, bin: string): ServiceCommand {
  if (node !== bin) return { argv: [node, ...NODE_FLAGS, bin], env: {} };
  return { argv: [bin], env: { NODE_OPTIONS: NODE_FLAGS.filter((f) => f.startsWith('--max-semi-space-size')).join(' ') } };
}
