/** zod's issues as problems a person can act on. */
import type { z } from 'zod';
import type { AnyProviderDefinition } from '../base/provider.js';
import type { PathKey, Problem } from './lines.js';
import { suggest } from './suggest.js';

export function zodProblems(error: z.ZodError, prefix: PathKey[], registry: readonly AnyProviderDefinition[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...(issue.path as PathKey[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggest(key, registry);
        out.push({ path: [...path, key], message: `unknown key${hint ? `; did you mean "${hint}"?` : ''}` });
      }
    } else {
      // Unions here are "string or number": zod's message for the first branch says it best.
      out.push({ path, message: issue.message });
    }
  }
  return out;
}
