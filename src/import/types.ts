/**
 * What an importer makes of another tool's config: ddnsd settings, provider
 * entries whose secrets are `${VAR}` references, the secrets themselves
 * (for a .env), and every setting it could not carry over, with why.
 */

/** A setting of the other tool that ddnsd does not take, and what to do instead. */
export interface Skipped {
  setting: string;
  why: string;
}

export interface Imported {
  interval?: string;
  detect: { ipv4?: string[]; ipv6?: string[] };
  providers: Record<string, unknown>[];
  notify: Record<string, unknown>[];
  /** VAR → value: what goes in the .env. */
  secrets: Map<string, string>;
  skipped: Skipped[];
}

/** Bad input: the file cannot be imported at all (exit 2, nothing written). */
export class ImportError extends Error {
  override name = 'ImportError';
}

export interface Format {
  name: string;
  /** Whether the text looks like this format (for detection without --from). */
  detect(text: string): boolean;
  parse(text: string, out: Builder): void;
}

/** What an importer writes into. */
export interface Builder {
  imported: Imported;
  /** Keeps a secret for the .env under a free name like CLOUDFLARE_TOKEN (_2, _3 … when taken); returns `${NAME}`. */
  secret(name: string, value: string): string;
  skip(setting: string, why: string): void;
  /** Adds a detection source for a family, once. */
  source(family: 'ipv4' | 'ipv6', source: string): void;
}

export function createBuilder(): Builder {
  const imported: Imported = { detect: {}, providers: [], notify: [], secrets: new Map(), skipped: [] };
  return {
    imported,
    secret(name, value) {
      const base = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
      for (const [k, v] of imported.secrets) if (v === value && (k === base || k.startsWith(`${base}_`))) return `\${${k}}`;
      let key = base;
      for (let i = 2; imported.secrets.has(key); i++) key = `${base}_${i}`;
      imported.secrets.set(key, value);
      return `\${${key}}`;
    },
    skip(setting, why) {
      imported.skipped.push({ setting, why });
    },
    source(family, source) {
      const list = (imported.detect[family] ??= []);
      if (!list.includes(source)) list.push(source);
    },
  };
}

/** Durations as ddnsd writes them: 300 → 5m, 90 → 90s. */
export function seconds(value: number): string {
  if (value % 86_400 === 0) return `${value / 86_400}d`;
  if (value % 3600 === 0) return `${value / 3600}h`;
  if (value % 60 === 0) return `${value / 60}m`;
  return `${value}s`;
}

/** `KEY=value` lines of an env file (export, quotes and comments allowed). */
export function envLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m?.[1]) continue;
    let value = m[2] ?? '';
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? (quoted[2] ?? '') : value.replace(/\s+#.*$/, '');
    out.set(m[1], value);
  }
  return out;
}

/** A comma-separated list, trimmed, empties dropped. */
export const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
