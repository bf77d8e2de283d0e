/**
 * Which records of a name are ddnsd's (`owned`): `all` (every record of the
 * name and type, as always) or `marked` (only records carrying ddnsd's
 * marker, `comment`). Adapters that write the marker take both keys in their
 * own schema; for every other type they are read here, and `marked` is
 * refused with the reason.
 */
import type { PathKey, Problem } from './lines.js';
import { describeValue } from './schema.js';

/** Provider types whose adapter writes ddnsd's marker and leaves unmarked records alone. */
export const MARKER_TYPES: ReadonlySet<string> = new Set(['cloudflare']);

/** Why `owned: marked` cannot work for a type. */
function whyNot(type: string): string {
  switch (type) {
    case 'route53':
      return 'a Route 53 record set has no field to carry a marker (a change batch comment is not kept on the record)';
    case 'digitalocean':
      return "DigitalOcean's domain records have no comment or label field to carry a marker";
    case 'hetzner':
    case 'porkbun':
      return `the ${type} API has a field for it (${type === 'hetzner' ? 'labels' : 'notes'}), but ddnsd's ${type} adapter does not write it yet`;
    default:
      return `${type} keeps one address per name and family, or its API has no marker; ddnsd writes its marker only at ${[...MARKER_TYPES].join(', ')}`;
  }
}

/** Provider types whose adapter can delete the entry's own records when ddnsd stops (`delete_on_stop`). */
export const REMOVE_TYPES: ReadonlySet<string> = new Set(['cloudflare']);

/**
 * Takes `delete_on_stop` out of an entry, and `owned` and `comment` where the
 * adapter does not take them, with a problem for what the type cannot do.
 */
export function takeOwnership(entry: Record<string, unknown>, path: PathKey[], problems: Problem[]): { entry: Record<string, unknown>; deleteOnStop: boolean } {
  const { delete_on_stop: remove, ...kept } = entry;
  const type = String(entry.type);
  let deleteOnStop = false;
  if (remove === true && !REMOVE_TYPES.has(type)) {
    problems.push({
      path: [...path, 'delete_on_stop'],
      message: `not available for ${type}: ddnsd deletes records when it stops only at ${[...REMOVE_TYPES].join(', ')}; remove delete_on_stop`,
    });
  } else if (remove === true) deleteOnStop = true;
  else if (remove !== undefined && remove !== false) problems.push({ path: [...path, 'delete_on_stop'], message: `expected true or false, got ${describeValue(remove)}` });
  return { entry: takeMarker(kept, type, path, problems), deleteOnStop };
}

function takeMarker(entry: Record<string, unknown>, type: string, path: PathKey[], problems: Problem[]): Record<string, unknown> {
  if (MARKER_TYPES.has(type)) return entry;
  const { owned, comment, ...rest } = entry;
  if (owned === 'marked') {
    problems.push({
      path: [...path, 'owned'],
      message: `marked is not available for ${type}: ${whyNot(type)}. Remove owned (all: every record of the name is ddnsd's, as by default)`,
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
