/** `ddnsd check [--reach]`: the config validated and printed as understood, secrets redacted; with --reach, as doctor. */
import { stringify } from 'yaml';
import type { Command } from './types.js';
import { effectiveConfig } from '../config/effective.js';
import { withConfig } from './setup.js';

const check: Command = (line, io) =>
  withConfig(line, io, async ({ config, log, redactor }) => {
    if (line.values.reach) {
      const { doctor } = await import('./doctor.js');
      return doctor(config, log, redactor, io);
    }
    io.stdout(stringify(effectiveConfig(config)));
    for (const entry of config.providers) {
      for (const advice of entry.definition.advice?.(entry.settings) ?? []) io.stderr(`ddnsd: warning: providers[${entry.index}]: ${advice}\n`);
    }
    io.stderr(`ddnsd: the config is valid (${config.file ?? 'built-in default'}).\n`);
    return 0;
  });

export default check;
