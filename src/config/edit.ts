/**
 * Editing the config file from the settings page, safely:
 *
 * - `maskSecrets`: the file as written, comments and `${VAR}` included, with
 *   every literal secret replaced by a placeholder that names where it stood.
 * - `restoreSecrets`: puts the real values back for placeholders left as they
 *   were, and refuses a kept secret whose entry now points somewhere else;
 *   the same for `${VAR}` references and `_file` keys, which the page may
 *   keep but not add (they could read any variable or file ddnsd can).
 * - `writeConfigFile`: temp file, fsync, rename; mode and owner kept; the
 *   previous version saved beside it with a timestamp (the last 10 kept).
 *
 * Both find scalars with the `yaml` Document API and replace only their
 * characters, so comments, order and formatting survive byte for byte.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, YAMLSeq, type Document } from 'yaml';
import { formatPath, lineOf, type PathKey } from './lines.js';

/** Sections whose keys may hold secrets. */
const SECTIONS = new Set(['providers', 'notify', 'server']);

/** Keys that hold a secret wherever they appear in those sections (providers add their own `secrets` lists). */
const BASE_SECRET_KEYS = ['token', 'metrics_token', 'password_hash', 'password', 'url', 'fail_url', 'key_secret', 'ipv6_token'];

/**
 * Keys that say where a secret is sent: changing one while the secret stays a
 * placeholder would hand the kept secret to a server of the editor's choosing.
 */
const DESTINATION = /^(type|endpoint|endpoints|server|url|fail_url|api|host|port|base)$|_(url|endpoint|server|base|host)$/;

const PLACEHOLDER = /^\(kept secret (\S+)\)$/;

export const placeholderFor = (path: string): string => `(kept secret ${path})`;

export interface SecretRules {
  /** Key names that hold secrets: every provider's `secrets` list. */
  keys: readonly string[];
  /** Secret values the config resolved to (tokens inside notification URLs, for example). */
  values: readonly string[];
}

interface Found {
  path: PathKey[];
  value: string;
  /** Where the scalar stands in the text, quotes included. */
  range: [number, number];
}

/** `text` with each range replaced; the rest byte for byte as it was. */
function splice(text: string, edits: { range: [number, number]; with: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range[0] - a.range[0])) out = out.slice(0, e.range[0]) + e.with + out.slice(e.range[1]);
  return out;
}

/** Each literal secret in the document: `${VAR}` references and `_file` keys are not secrets. */
function findSecrets(doc: Document, rules: SecretRules): Found[] {
  const keys = new Set([...BASE_SECRET_KEYS, ...rules.keys]);
  const values = rules.values.filter((v) => v.length >= 4);
  const out: Found[] = [];
  const walk = (node: unknown, path: PathKey[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof key === 'string' || typeof key === 'number') visit(pair.value, [...path, key], typeof key === 'string' && keys.has(key));
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => visit(item, [...path, i], false));
  };
  const visit = (node: unknown, path: PathKey[], byKey: boolean): void => {
    if (!isScalar(node)) return walk(node, path);
    const v = node.value;
    if (typeof v !== 'string' || v === '' || v.includes('${') || PLACEHOLDER.test(v)) return;
    if ((byKey || values.some((s) => v.includes(s))) && node.range) out.push({ path, value: v, range: [node.range[0], node.range[1]] });
  };
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === 'string' && SECTIONS.has(key)) walk(pair.value, [key]);
    }
  }
  return out;
}

/** The file with each literal secret replaced by its placeholder; comments, order and `${VAR}` as written. */
export function maskSecrets(text: string, rules: SecretRules): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) return maskLines(text, rules);
  return splice(
    text,
    findSecrets(doc, rules).map((f) => ({ range: f.range, with: JSON.stringify(placeholderFor(formatPath(f.path))) })),
  );
}

/** A file that is not valid YAML: lines holding a known secret value are masked whole. */
function maskLines(text: string, rules: SecretRules): string {
  const values = rules.values.filter((v) => v.length >= 4);
  const keys = new Set([...BASE_SECRET_KEYS, ...rules.keys]);
  return text
    .split('\n')
    .map((line) => {
      const key = /^\s*-?\s*([A-Za-z0-9_]+):\s*\S/.exec(line)?.[1];
      const secretKey = key !== undefined && keys.has(key) && !line.includes('${');
      return secretKey || values.some((v) => line.includes(v)) ? line.replace(/:\s.*$/, ': (kept secret: the file is not valid YAML)') : line;
    })
    .join('\n');
}

export interface Restored {
  text: string;
  /** Placeholders refused, with their line in the edited text. */
  problems: { path: string; line: number | undefined; message: string }[];
}

/**
 * The edited text with every placeholder replaced by the secret it stands for
 * in `current` (the file on disk). Refused (a problem each): a placeholder
 * ddnsd did not hand out, one moved to another key or section, and one whose
 * entry's destination (type, endpoint, server, URL, host, port) changed.
 */
export function restoreSecrets(edited: string, current: string, rules: SecretRules): Restored {
  const problems: Restored['problems'] = [];
  const lines = new LineCounter();
  const doc = parseDocument(edited, { lineCounter: lines });
  if (doc.errors.length > 0) return { text: edited, problems };
  const old = parseDocument(current);
  const kept = new Map(findSecrets(old, rules).map((f) => [formatPath(f.path), f]));
  const placeholders: Found[] = [];
  const edits: { range: [number, number]; with: string }[] = [];
  const collect = (node: unknown, path: PathKey[]): void => {
    if (isScalar(node) && typeof node.value === 'string' && PLACEHOLDER.test(node.value) && node.range)
      placeholders.push({ path, value: node.value, range: [node.range[0], node.range[1]] });
    else if (isMap(node)) for (const pair of node.items) collect(pair.value, [...path, isScalar(pair.key) ? (pair.key.value as PathKey) : String(pair.key)]);
    else if (isSeq(node)) node.items.forEach((item, i) => collect(item, [...path, i]));
  };
  collect(doc.contents, []);
  for (const p of placeholders) {
    const where = formatPath(p.path);
    const refuse = (message: string): void => void problems.push({ path: where, line: lineOf({ doc, lines }, p.path), message });
    const from = PLACEHOLDER.exec(p.value)?.[1] ?? '';
    const source = kept.get(from);
    const retype = `type the secret again at ${where}`;
    if (!source) {
      refuse(`${p.value} stands for no secret in the file as it is now; ${retype}`);
      continue;
    }
    const moved = p.path.at(-1) !== source.path.at(-1) || p.path[0] !== source.path[0] || p.path.length !== source.path.length;
    const changed = moved ? [] : changedDestinations(old, source.path.slice(0, -1), doc, p.path.slice(0, -1));
    if (moved) {
      refuse(`the kept secret of ${from} cannot move to ${where}; ${retype}`);
    } else if (changed.length > 0) {
      const entry = formatPath(p.path.slice(0, -1));
      refuse(`${entry}: ${changed.join(', ')} changed while its secret is kept, which would send the secret somewhere new; ${retype}`);
    } else edits.push({ range: p.range, with: current.slice(source.range[0], source.range[1]) });
  }
  for (const r of references(doc)) {
    const where = formatPath(r.path);
    const before = references(old).find((o) => formatPath(o.path) === where);
    const refuse = (message: string): void => void problems.push({ path: where, line: lineOf({ doc, lines }, r.path), message });
    if (before?.value !== r.value) {
      refuse(
        `${r.value} is a new reference to ${r.path.at(-1)?.toString().endsWith('_file') ? 'a file' : 'the environment'}; the settings page cannot add one (it could send what the file or variable holds anywhere): write it in the file itself, or type the value`,
      );
      continue;
    }
    const changed = changedDestinations(old, r.path.slice(0, -1), doc, r.path.slice(0, -1));
    if (changed.length > 0)
      refuse(
        `${formatPath(r.path.slice(0, -1))}: ${changed.join(', ')} changed while it reads ${r.value}, which would send that value somewhere new; write the change in the file itself, or type the value`,
      );
  }
  // The secret goes back as it was written in the file (its quotes too); nothing else is touched.
  return { text: splice(edited, edits), problems };
}

/**
 * Values read from outside the file: `${VAR}` references and `<key>_file`
 * paths (server.tls's files are served, not sent, so they are not counted).
 */
function references(doc: Document): Found[] {
  const out: Found[] = [];
  const walk = (node: unknown, path: PathKey[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        const at = [...path, key];
        const v = isScalar(pair.value) ? pair.value.value : undefined;
        const tls = path.length === 2 && path[0] === 'server' && path[1] === 'tls';
        if (typeof v === 'string' && pair.value && (/\$\{/.test(v) || (typeof key === 'string' && key.endsWith('_file') && !tls))) {
          const range = (pair.value as { range?: [number, number, number] }).range;
          out.push({ path: at, value: v, range: [range?.[0] ?? 0, range?.[1] ?? 0] });
        } else walk(pair.value, at);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(doc.contents, []);
  return out;
}

/** The destination keys whose value differs between the entry at `a` in `docA` and the one at `b` in `docB`. */
function changedDestinations(docA: Document, a: PathKey[], docB: Document, b: PathKey[]): string[] {
  const entryA = docA.getIn(a) as unknown;
  const entryB = docB.getIn(b) as unknown;
  const plain = (n: unknown): Record<string, unknown> => {
    const js = isMap(n) ? (n.toJSON() as unknown) : n;
    return typeof js === 'object' && js !== null && !Array.isArray(js) ? (js as Record<string, unknown>) : {};
  };
  const ja = plain(entryA);
  const jb = plain(entryB);
  // A key still holding a placeholder is checked as its own kept secret.
  const kept = (v: unknown): boolean => typeof v === 'string' && PLACEHOLDER.test(v);
  const keys = new Set([...Object.keys(ja), ...Object.keys(jb)].filter((k) => DESTINATION.test(k) && !kept(jb[k])));
  return [...keys].filter((k) => JSON.stringify(ja[k]) !== JSON.stringify(jb[k]));
}

/** A short fingerprint of the file's bytes: a save names the version it was edited from. */
export function etagOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

/** Why the file cannot be written, or undefined when it can (the file and its folder: the rename needs both). */
export async function notWritable(file: string): Promise<string | undefined> {
  for (const [what, path] of [
    ['the config file', file],
    ['its folder', dirname(file)],
  ] as const) {
    try {
      await access(path, constants.W_OK);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      const why = code === 'EROFS' ? 'a read-only file system (a read-only mount?)' : code === 'EACCES' || code === 'EPERM' ? 'no permission to write' : code;
      return `${what} ${path} cannot be written: ${why}`;
    }
  }
  return undefined;
}

/** How many earlier versions are kept beside the file. */
export const BACKUPS_KEPT = 10;

/**
 * Replaces `file` with `text` atomically: a temp file beside it, fsync,
 * rename, then fsync of the folder. The previous version is copied to
 * `<file>.<timestamp>.bak` first (same mode: it holds the same secrets).
 */
export async function writeConfigFile(file: string, text: string, now: number): Promise<void> {
  const info = await stat(file);
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const backup = `${file}.${stamp}.bak`;
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${now}.tmp`);
  try {
    await copyFile(file, backup);
    await chmod(backup, info.mode & 0o7777);
    const handle = await open(temp, 'wx', info.mode & 0o7777);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, info.mode & 0o7777);
    // Keeping the owner needs the right to give files away (root); otherwise the writer owns it, as any editor would do.
    await chown(temp, info.uid, info.gid).catch(() => undefined);
    await rename(temp, file);
  } catch (error) {
    // A full disk or a read-only mount: nothing half written stays behind, the file is as it was.
    await unlink(temp).catch(() => undefined);
    await unlink(backup).catch(() => undefined);
    throw error;
  }
  await syncFolder(dirname(file));
  await pruneBackups(file);
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

async function pruneBackups(file: string): Promise<void> {
  const prefix = `${basename(file)}.`;
  const names = (await readdir(dirname(file))).filter((n) => n.startsWith(prefix) && n.endsWith('.bak')).sort();
  for (const name of names.slice(0, Math.max(0, names.length - BACKUPS_KEPT))) await unlink(join(dirname(file), name)).catch(() => undefined);
}

/** How an edited document is written back: flow lists as `[a, b]`, long lines unbroken, as people write them. */
const WRITE = { flowCollectionPadding: false, lineWidth: 0 } as const;

/**
 * A provider entry added at the end of `providers` (made when absent), through
 * the Document API: comments, order and `${VAR}` references elsewhere stay.
 */
export function addEntry(text: string, entry: Record<string, unknown>): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error('the YAML has syntax errors; fix them before adding an entry');
  const list = doc.get('providers', true);
  const node = doc.createNode(entry);
  // Lists inside the entry as people write them: hosts: [a, b].
  if (isMap(node)) for (const pair of node.items) if (isSeq(pair.value)) pair.value.flow = true;
  if (isSeq(list)) list.add(node);
  else {
    const seq = new YAMLSeq();
    seq.items.push(node);
    doc.set('providers', seq);
  }
  return doc.toString(WRITE);
}

/** `providers[index]` removed, the rest as written. */
export function removeEntry(text: string, index: number): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error('the YAML has syntax errors; fix them before removing an entry');
  const list = doc.get('providers', true);
  if (!isSeq(list) || !Number.isInteger(index) || index < 0 || index >= list.items.length) throw new Error(`there is no providers[${index}]`);
  list.delete(index);
  return doc.toString(WRITE);
}

/** The provider entries of a text, for the settings page's list: type, hosts and line. */
export function entriesOf(text: string): { index: number; type: string; hosts: string[]; line: number }[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const list = doc.get('providers', true);
  if (!isSeq(list)) return [];
  return list.items.map((item, index) => {
    const js = (isMap(item) ? item.toJSON() : {}) as { type?: unknown; hosts?: unknown };
    const hosts = Array.isArray(js.hosts) ? js.hosts.map(String) : typeof js.hosts === 'string' ? [js.hosts] : [];
    const at = (item as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    return { index, type: typeof js.type === 'string' ? js.type : '?', hosts, line: lines.linePos(at).line };
  });
}
