/**
 * The settings API: the config file read (secrets as placeholders), checked
 * and saved, for the settings page.
 *
 *   GET  /api/config        → { yaml, etag, writable, path, reason }
 *   POST /api/config/check  { yaml }        → { problems }
 *   PUT  /api/config        { yaml, etag }  → 200 { etag } written and applied,
 *        400 { problems } nothing written, 409 changed since etag, 403 editing off
 *
 * All three need a signed-in reader (token, session or Basic) even where reads
 * are public, and the unsafe ones pass the guard's same-site checks like
 * POST /api/update. They are on only with `server.auth: token` or `basic` and a
 * writable file; `server.editing: false` turns editing off (reading stays).
 * Nothing here runs a command: a save is a file write and a reload.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LocatedProblem } from '../config/load.js';
import { addEntry, entriesOf, etagOf, maskSecrets, removeEntry, notWritable, restoreSecrets, writeConfigFile, type SecretRules } from '../config/edit.js';
import type { SettingsDeps } from './types.js';
import type { Guard } from './guard.js';
import { renderSettings, SETTINGS_CSS, SETTINGS_JS } from './settings-page.js';

export type { SettingsDeps } from './types.js';

interface Current {
  text: string;
  etag: string;
  rules: SecretRules;
}

/** Largest config accepted in a body (the server's body limit is raised for these routes only). */
export const CONFIG_BODY_LIMIT = 256 * 1024;

export function registerSettings(app: FastifyInstance, deps: SettingsDeps | undefined, guard: Guard): void {
  const auth = guard.settings.auth;
  const off = (): string | undefined =>
    !deps
      ? 'settings are not available: ddnsd runs without a config file'
      : auth === 'none'
        ? 'editing needs a sign-in: set server.auth to token or basic'
        : !deps.editing
          ? 'editing is off (server.editing: false in the config)'
          : undefined;
  const signedIn = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (guard.identity(req).reader) return true;
    void reply.code(401).send({ error: 'sign in first: the settings need the token, a session or the Basic password, even where reads are public' });
    return false;
  };
  // A save at a time: the etag check, the write and the reload happen together.
  let saving: Promise<unknown> = Promise.resolve();

  app.get('/settings', { config: { access: 'read', signIn: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(renderSettings()));
  const asset = { config: { access: 'public' as const } };
  app.get('/assets/settings.js', asset, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SETTINGS_JS));
  app.get('/assets/settings.css', asset, async (_req, reply) => reply.type('text/css; charset=utf-8').send(SETTINGS_CSS));

  app.get('/api/config', { config: { access: 'read' } }, async (req, reply) => {
    if (!signedIn(req, reply)) return reply;
    if (!deps || auth === 'none') return reply.code(403).send({ error: off() });
    const now = await current(deps);
    const reason = off() ?? (await notWritable(deps.path));
    const yaml = maskSecrets(now.text, now.rules);
    return { yaml, etag: now.etag, writable: reason === undefined, path: deps.path, reason: reason ?? null, entries: entriesOf(yaml) };
  });

  // With `add` (a provider entry) or `remove` (an index), the form's edit is made first, through the
  // yaml Document API, and the edited text comes back with its problems; nothing is written.
  app.post<{ Body: { yaml?: unknown; add?: unknown; remove?: unknown } }>('/api/config/check', { config: { access: 'read' }, bodyLimit: CONFIG_BODY_LIMIT }, async (req, reply) => {
    if (!signedIn(req, reply)) return reply;
    if (!deps || auth === 'none') return reply.code(403).send({ error: off() });
    const { add, remove } = req.body ?? {};
    const sent = req.body?.yaml;
    if (typeof sent !== 'string') return reply.code(400).send({ error: 'send JSON { "yaml": "<the config file>" }' });
    let yaml = sent;
    try {
      if (typeof add === 'object' && add !== null && !Array.isArray(add)) yaml = addEntry(yaml, add as Record<string, unknown>);
      else if (typeof remove === 'number') yaml = removeEntry(yaml, remove);
    } catch (error) {
      return reply.code(400).send({ error: (error as Error).message });
    }
    const problems = await problemsOf(deps, await current(deps), yaml);
    return { ok: problems.length === 0, problems, entries: entriesOf(yaml), ...(add !== undefined || remove !== undefined ? { yaml } : {}) };
  });

  app.put<{ Body: { yaml?: unknown; etag?: unknown } }>('/api/config', { config: { access: 'read' }, bodyLimit: CONFIG_BODY_LIMIT }, async (req, reply) => {
    if (!signedIn(req, reply)) return reply;
    const reason = off() ?? (deps ? await notWritable(deps.path) : undefined);
    if (!deps || reason) return reply.code(403).send({ error: reason });
    const { yaml, etag } = req.body ?? {};
    if (typeof yaml !== 'string' || typeof etag !== 'string') return reply.code(400).send({ error: 'send JSON { "yaml": "<the config file>", "etag": "<from GET /api/config>" }' });
    const run = saving.then(() => save(deps, yaml, etag, reply));
    saving = run.catch(() => undefined);
    return run;
  });
}

async function problemsOf(deps: SettingsDeps, now: Current, yaml: string): Promise<LocatedProblem[]> {
  const restored = restoreSecrets(yaml, now.text, now.rules);
  const checked = await deps.check(restored.text);
  // A message that quotes a value must not hand back a secret the server put in.
  const secrets = now.rules.values.filter((v) => v.length >= 4);
  const scrub = (message: string): string => secrets.reduce((m, v) => m.split(v).join('[redacted]'), message);
  return [...restored.problems, ...('problems' in checked ? checked.problems : [])].map((p) => ({ ...p, message: scrub(p.message) }));
}

async function save(deps: SettingsDeps, yaml: string, etag: string, reply: FastifyReply): Promise<FastifyReply> {
  const now = await current(deps);
  if (now.etag !== etag) {
    return reply
      .code(409)
      .send({ error: 'the config file changed since this page read it (edited by hand, or saved from another tab); reload it and make the change again', etag: now.etag });
  }
  const restored = restoreSecrets(yaml, now.text, now.rules);
  const checked = await deps.check(restored.text);
  if (restored.problems.length > 0 || 'problems' in checked) {
    return reply.code(400).send({ problems: await problemsOf(deps, now, yaml) });
  }
  try {
    await writeConfigFile(deps.path, restored.text, deps.now());
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the file system is read-only' : ((error as Error).message ?? 'unknown error');
    return reply.code(500).send({ error: `cannot write ${deps.path}: ${why}; nothing was changed, the running config stays` });
  }
  try {
    await deps.apply(checked.config);
  } catch (error) {
    return reply.code(500).send({ error: `saved, but applying it failed (${(error as Error).message}); send SIGHUP or restart ddnsd to apply the file` });
  }
  return reply.code(200).send({ ok: true, etag: etagOf(restored.text) });
}

/** The file on disk, its etag, and which of its keys hold secrets. */
async function current(deps: SettingsDeps): Promise<Current> {
  const text = await readFile(deps.path, 'utf8');
  const checked = await deps.check(text);
  return { text, etag: etagOf(text), rules: await deps.secretRules('config' in checked ? checked.config : undefined) };
}
