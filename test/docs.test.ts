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
