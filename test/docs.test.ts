/** Every registered provider has its docs page, and the README's provider table is the one those pages make. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
// @ts-expect-error: a plain .mjs script without types
import { providerTable } from '../scripts/provider-table.mjs';

const ROOT = join(import.meta.dirname, '..');

describe('provider docs', () => {
  it.each(PROVIDERS.map((p) => p.type))('%s has docs/providers/<type>.md starting with its table row', (type) => {
    const file = join(ROOT, 'docs/providers', `${type}.md`);
    expect(existsSync(file), `docs/providers/${type}.md is missing`).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^<!-- row: \\| \`${type}\` \\|`));
  });

  it('the README table is current (npm run docs:providers writes it)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    // The script reads docs/providers/ from the working directory, the project's root here as in npm scripts.
    expect(process.cwd()).toBe(ROOT);
    expect(readme).toContain((providerTable as () => string)());
  });
});

describe("the README's table of what each provider allows with several links", () => {
  it('says of each provider exactly what its adapter claims', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('| provider | `wan_mode: all` | `delete_on_stop` | `owned: marked` |');
    expect(start).toBeGreaterThan(0);
    const lines = readme.slice(start).split('\n').slice(2);
    const rows = lines
      .slice(
        0,
        lines.findIndex((l) => !l.startsWith('|')),
      )
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const said = new Map<string, { sets: boolean; removeOnStop: boolean; marker: boolean }>();
    let rest: { sets: boolean; removeOnStop: boolean; marker: boolean } | undefined;
    for (const [names = '', sets = '', remove = '', marker = ''] of rows) {
      const claim = { sets: sets.startsWith('✓'), removeOnStop: remove.startsWith('✓'), marker: marker.startsWith('✓') };
      if (names.includes('the rest')) rest = claim;
      else for (const name of names.split(',')) said.set(name.trim().toLowerCase().replace(/\s/g, ''), claim);
    }
    for (const p of PROVIDERS) {
      const claimed = { sets: p.records?.sets === true, removeOnStop: p.records?.removeOnStop === true, marker: p.records?.marker !== undefined };
      expect(said.get(p.type) ?? rest, `README row for ${p.type}`).toEqual(claimed);
    }
    // Every named row is a registered type.
    expect([...said.keys()].filter((t) => !PROVIDERS.some((p) => p.type === t))).toEqual([]);
  });
});
