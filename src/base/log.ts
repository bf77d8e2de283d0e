/**
 * Messages for a person on a terminal, JSON lines for a log collector, and
 * never a secret in either: every line passes through the redactor.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

/** Replaces every known secret, and its URL- and JSON-encoded forms, with `[redacted]`. */
export interface Redactor {
  add(secret: string | undefined): void;
  redact(text: string): string;
}

export const REDACTED = '[redacted]';

export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const forms = new Set<string>();
  const add = (secret: string | undefined): void => {
    // Very short values would blank out ordinary words; no real token is that short.
    if (!secret || secret.length < 4) return;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret).toString('base64'));
  };
  for (const s of secrets) add(s);
  return {
    add,
    redact(text) {
      let out = text;
      // Longest first, so a secret that contains another is replaced whole.
      for (const form of [...forms].sort((a, b) => b.length - a.length)) {
        if (out.includes(form)) out = out.split(form).join(REDACTED);
      }
      return out;
    },
  };
}

export interface LoggerOptions {
  format: 'pretty' | 'json';
  level: Level;
  redactor: Redactor;
  write: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const min = LEVELS[options.level];
  const now = options.now ?? (() => new Date());
  const emit = (level: Level, message: string, fields: Fields = {}): void => {
    if (LEVELS[level] < min) return;
    const time = now().toISOString();
    const line =
      options.format === 'json'
        ? JSON.stringify({ time, level, msg: message, ...plain(fields) })
        : `${time.slice(0, 19).replace('T', ' ')} ${level.toUpperCase().padEnd(5)} ${message}${prettyFields(fields)}`;
    options.write(`${options.redactor.redact(line)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** Errors become their message; everything else stays as is. */
function plain(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = value instanceof Error ? value.message : value;
  }
  return out;
}

function prettyFields(fields: Fields): string {
  const parts = Object.entries(plain(fields)).map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  return parts.length > 0 ? `  ${parts.join(' ')}` : '';
}

export function parseLevel(value: string | undefined): Level {
  const v = value?.toLowerCase();
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : 'info';
}

/** A logger that drops everything: for tests and for `--quiet` paths. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
