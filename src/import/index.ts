/**
 * `ddnsd import`: another tool's config as a ddnsd config.yaml, its secrets
 * as `${VAR}` references (for a .env), and what could not be carried over.
 * One file per format; FORMATS lists them in the order detection tries.
 */
import { stringify } from 'yaml';
import { ddclient } from './ddclient.js';
import { ddnsUpdater } from './ddns-updater.js';
import { favonia } from './favonia.js';
import { inadyn } from './inadyn.js';
import { noipDuc } from './noip-duc.js';
import { createBuilder, ImportError, type Format, type Imported } from './types.js';

export { ImportError } from './types.js';

export const FORMATS: readonly Format[] = [ddnsUpdater, inadyn, favonia, noipDuc, ddclient];
export const FORMAT_NAMES = FORMATS.map((f) => f.name);

/** The format named, or the one the text looks like. */
export function formatOf(text: string, from: string | undefined, file: string): Format {
  if (from !== undefined) {
    const named = FORMATS.find((f) => f.name === from);
    if (!named) throw new ImportError(`--from ${from} is not a format ddnsd imports; use one of ${FORMAT_NAMES.join(', ')}`);
    return named;
  }
  const found = FORMATS.find((f) => f.detect(text));
  if (!found) throw new ImportError(`${file} does not look like a config of ${FORMAT_NAMES.join(', ')}; name its format with --from`);
  return found;
}

export function importConfig(text: string, format: Format): Imported {
  const b = createBuilder();
  format.parse(text, b);
  if (b.imported.providers.length === 0) throw new ImportError(`no hosts found to update: the file has no ${format.name} host or provider entry ddnsd can read`);
  return b.imported;
}

/** A comment block: one `# ` line per line of text. */
const comment = (lines: string[]): string => lines.map((l) => `# ${l}`.trimEnd()).join('\n');

/** The config.yaml: a header, the settings, then what was not carried over as comments. */
export function renderConfig(imported: Imported, source: string, format: string): string {
  const config: Record<string, unknown> = {};
  if (imported.interval) config.interval = imported.interval;
  const detect: Record<string, unknown> = {};
  if (imported.detect.ipv4) detect.ipv4 = imported.detect.ipv4;
  if (imported.detect.ipv6) detect.ipv6 = imported.detect.ipv6;
  if (Object.keys(detect).length > 0) config.detect = detect;
  config.providers = imported.providers;
  if (imported.notify.length > 0) config.notify = imported.notify;
  const vars = [...imported.secrets.keys()];
  const header = [
    `ddnsd config imported from ${source} (${format}) by ddnsd import.`,
    ...(vars.length > 0 ? [`Secrets are \${VAR} references: set ${vars.join(', ')} in the environment or in a .env file beside this one.`] : []),
    'Check it with: ddnsd check',
  ];
  const body = stringify(config, { lineWidth: 0 }).trimEnd();
  const skipped = imported.skipped.length > 0 ? `\n\n${comment(['Not carried over:', ...skippedLines(imported)])}` : '';
  return `${comment(header)}\n\n${body}${skipped}\n`;
}

export function skippedLines(imported: Imported): string[] {
  return imported.skipped.map((s) => `- ${s.setting}: ${s.why}`);
}

/** The .env: one VAR=value line per secret, quoted (dotenv reads single quotes as written) where it is not plain. */
export function renderEnv(imported: Imported): string {
  const quote = (v: string): string => (/^[A-Za-z0-9_.:@/+=-]*$/.test(v) ? v : v.includes("'") ? `"${v}"` : `'${v}'`);
  const lines = [...imported.secrets].map(([k, v]) => `${k}=${quote(v)}`);
  return `# Secrets for config.yaml, written by ddnsd import. Keep this file private (mode 0600).\n${lines.join('\n')}\n`;
}
