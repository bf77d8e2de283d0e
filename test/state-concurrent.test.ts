import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, createRedactor } from '../src/base/log.js';
import { createStateStore, emptyState } from '../src/state.js';
import { tempDir } from './helpers/cli.js';

describe('state store', () => {
  it('saves called at once (several providers answering together) all succeed, and the last one wins', async () => {
    const path = join(tempDir(), 'data/state.json');
    const log = createLogger({ format: 'json', level: 'error', redactor: createRedactor(), write: () => {} });
    const store = createStateStore(path, log);
    const saves = Array.from({ length: 8 }, (_, i) => store.save({ ...emptyState(), lastCheck: i }));
    await expect(Promise.all(saves)).resolves.toHaveLength(8);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { lastCheck: number }).lastCheck).toBe(7);
  });
});
