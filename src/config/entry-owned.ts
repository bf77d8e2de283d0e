/**
 * Which records of a name are ddnsd's (`owned`): `all` (every record of the
 * name and type, as always) or `marked` (only records carrying ddnsd's
 * marker, `comment`), and `delete_on_stop`. Each adapter says what it can do
 * (its definition's `records`); adapters that write the marker take `owned`
 * and `comment` in their own schema, and for every other type they are read
 * here, and `marked` is refused with the reason.
 */
import type { AnyProviderDefinition } from '../base/provider.js';
import type { PathKey, Problem } from './lines.js';
import { describeValue } from './schema.js';

/** The loaded types that can do `ability`, in alphabetical order for messages: "cloudflare, hetzner", or "none". */
export function typesThatCan(registry: readonly AnyProviderDefinition[], ability: 'sets' | 'marker' | 'removeOnStop'): string {
  const can = registry
    .filter((d) => d.records?.[ability] !== undefined)
    .map((d) => d.type)
    .sort();
  return can.length > 0 ? can.join(', ') : 'none';
}

/** Why `owned: marked` cannot work for a definition. */
function whyNot(definition: AnyProviderDefinition, registry: readonly AnyProviderDefinition[]): string {
  return (
    definition.records?.noMarker ??
    `ddnsd's ${definition.type} adapter keeps one address per name and family, with no field for a marker; types that write one: ${typesThatCan(registry, 'marker')}`
  );
}

/**
 * Takes `delete_on_stop` out of an entry, and `owned` and `comment` where the
 * adapter does not take them, with a problem for what the type cannot do.
 */
export function takeOwnership(
  entry: Record<string, unknown>,
  definition: AnyProviderDefinition,
  registry: readonly AnyProviderDefinition[],
  path: PathKey[],
  problems: Problem[],
): { entry: Record<string, unknown>; deleteOnStop: boolean } {
  const { delete_on_stop: remove, ...kept } = entry;
  let deleteOnStop = false;
  if (remove === true && definition.records?.removeOnStop === undefined) {
    problems.push({
      path: [...path, 'delete_on_stop'],
      message: `not available for ${definition.type}: ddnsd deletes records when it stops only at ${typesThatCan(registry, 'removeOnStop')}; remove delete_on_stop`,
    });
  } else if (remove === true) deleteOnStop = true;
  else if (remove !== undefined && remove !== false) problems.push({ path: [...path, 'delete_on_stop'], message: `expected true or false, got ${describeValue(remove)}` });
  return { entry: takeMarker(kept, definition, registry, path, problems), deleteOnStop };
}

function takeMarker(
  entry: Record<string, unknown>,
  definition: AnyProviderDefinition,
  registry: readonly AnyProviderDefinition[],
  path: PathKey[],
  problems: Problem[],
): Record<string, unknown> {
  if (definition.records?.marker !== undefined) return entry;
  const { owned, comment, ...rest } = entry;
  const type = definition.type;
  if (owned === 'marked') {
    problems.push({
      path: [...path, 'owned'],
      message: `marked is not available for ${type}: ${whyNot(definition, registry)}. Remove owned (all: every record of the name is ddnsd's, as by default)`,
    });
  } else if (owned !== undefined && owned !== 'all') {
    problems.push({
      path: [...path, 'owned'],
      message: `expected all (every record of the name and type is ddnsd's) or marked (only records carrying ddnsd's marker), got ${describeValue(owned)}`,
    });
  }
  if (comment !== undefined && owned !== 'marked') {
    problems.push({ path: [...path, 'comment'], message: `comment is ddnsd's marker for owned: marked, which ${type} does not support; remove it` });
  }
  return rest;
}
