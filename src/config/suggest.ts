/** "Did you mean": the known key nearest to an unknown one. */
import type { AnyProviderDefinition } from '../base/provider.js';
import { configSchema } from './schema.js';

interface SchemaNode {
  shape?: Record<string, unknown>;
  def?: { innerType?: unknown; in?: unknown };
}

/** The keys of an object schema and of the objects inside it, through defaults, optionals and transforms. */
function addKeys(schema: unknown, into: Set<string>): void {
  let node = schema as SchemaNode | undefined;
  while (node && !node.shape && (node.def?.innerType ?? node.def?.in)) node = (node.def.innerType ?? node.def.in) as SchemaNode;
  for (const [key, value] of Object.entries(node?.shape ?? {})) {
    into.add(key);
    addKeys(value, into);
  }
}

/** Every key name ddnsd knows, for "did you mean". */
function knownKeys(registry: readonly AnyProviderDefinition[]): string[] {
  const keys = new Set<string>();
  addKeys(configSchema, keys);
  for (const p of registry) addKeys(p.schema, keys);
  return [...keys];
}

export function suggest(key: string, registry: readonly AnyProviderDefinition[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of knownKeys(registry)) {
    const d = distance(key.toLowerCase(), known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}
