/**
 * `ddnsd import FILE [--from FORMAT] [--write DIR]`: another tool's config as
 * a ddnsd config.yaml on stdout, or with --write as DIR/config.yaml and
 * DIR/.env (the secrets, mode 0600). What could not be carried over is
 * listed at the end of the config and on stderr. Bad input exits 2 and
 * writes nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from './types.js';
import { writeAtomically } from '../state.js';
import { FORMAT_NAMES, formatOf, ImportError, importConfig, renderConfig, renderEnv, skippedLines } from '../import/index.js';

const USAGE = `usage: ddnsd import FILE [--from ${FORMAT_NAMES.join('|')}] [--write DIR]`;

async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ImportError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

const importCommand: Command = async (line, io) => {
  const [, file, ...extra] = line.positionals;
  const foreign = Object.keys(line.values).find((k) => k !== 'from' && k !== 'write');
  if (!file || extra.length > 0 || foreign) {
    io.stderr(`ddnsd: ${foreign ? `--${foreign} does not go with import; ` : ''}${USAGE}\n`);
    return 2;
  }
  const path = resolve(io.cwd, file);
  const dir = line.values.write === undefined ? undefined : resolve(io.cwd, line.values.write);
  try {
    const text = await readInput(path);
    const format = formatOf(text, line.values.from, file);
    const imported = importConfig(text, format);
    const config = renderConfig(imported, basename(path), format.name);
    if (dir === undefined) io.stdout(config);
    else {
      const target = join(dir, 'config.yaml');
      const taken = [target, join(dir, '.env')].find((f) => existsSync(f));
      if (taken) throw new ImportError(`${taken} already exists; move it away or choose another --write directory`);
      await mkdir(dir, { recursive: true });
      if (imported.secrets.size > 0) await writeAtomically(join(dir, '.env'), renderEnv(imported));
      await writeAtomically(target, config, 0o644);
      io.stdout(`Wrote ${target}${imported.secrets.size > 0 ? ` and ${join(dir, '.env')} (the secrets, mode 0600)` : ''}. Check it with: ddnsd check --config ${target}\n`);
    }
    if (imported.skipped.length > 0)
      io.stderr(
        `ddnsd import: not carried over from ${file}:\n${skippedLines(imported)
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      );
    if (dir === undefined && imported.secrets.size > 0)
      io.stderr(`ddnsd import: set ${[...imported.secrets.keys()].join(', ')} in the environment or a .env file beside the config (--write DIR writes one).\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    io.stderr(`ddnsd import: ${error.message}\n`);
    return 2;
  }
};

export default importCommand;
