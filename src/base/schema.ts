/**
 * Schema pieces every section of the config uses, the provider entries
 * included: messages that say what was expected, and durations.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * How ddnsd parses its config: zod would compile a parser per object schema
 * with new Function() at its first parse, which costs more than it saves for
 * a config read once per start (and per reload): about 40 ms of a one-shot
 * command's CPU (docs/performance.md). Give it to every safeParse/parse.
 */
export const INTERPRETED = { jitless: true } as const;

/** An error message that says what was expected and, when absent, that it is missing. */
export function expected(what: string) {
  return (issue: { input?: unknown }): string => (issue.input === undefined ? `missing; expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** A duration key: milliseconds after parsing, at least `min`, else `tooShort` as the error. */
export const duration = (min: number, tooShort: string) =>
  z.union([z.string(), z.number()], { error: expected('a duration like 30s, 5m, 1h or 25d') }).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m, 1h or 25d, got ${describeValue(value)}` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: tooShort });
      return z.NEVER;
    }
    return ms;
  });
