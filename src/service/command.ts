/**
 * How a service starts ddnsd: `node <NODE_FLAGS> <bin>` for the npm-installed
 * command, or the single executable alone (then node and bin are the same
 * file), which takes what NODE_OPTIONS allows of the flags from there (Node.js
 * refuses --optimize-for-size in NODE_OPTIONS).
 */
import { NODE_FLAGS } from '../v8.js';

export interface ServiceCommand {
  argv: string[];
  env: Record<string, string>;
}

export function serviceCommand(node: string, bin: string): ServiceCommand {
  if (node !== bin) return { argv: [node, ...NODE_FLAGS, bin], env: {} };
  return { argv: [bin], env: { NODE_OPTIONS: NODE_FLAGS.filter((f) => f.startsWith('--max-semi-space-size')).join(' ') } };
}
