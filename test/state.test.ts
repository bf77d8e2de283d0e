import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, createRedactor } from '../src/base/log.js';
import { createStateStore, emptyState, hostKey, writeAtomically } from '../src/state.js';
import { tempDir } from './helpers/cli.js';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', level: 'debug', redactor: createRedactor(), write: (l) => lines.push(l) });
  return { log, lines };
}

describe('the state file', () => {
  it('round-trips through an atomic write, creating the folder', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested/data/state.json');
    const store = createStateStore(path, capture().log);
    expect(await store.load()).toEqual(emptyState());
    const state = emptyState();
    state.detected.ipv4 = { address: '81.2.69.160', at: 1 };
    state.hosts[hostKey('duckdns', 'a.duckdns.org', 'ipv4')] = {
      provider: 'duckdns',
      host: 'a.duckdns.org',
      family: 'ipv4',
      address: '81.2.69.160',
      confirmedAt: 1,
      failures: 0,
    };
    await store.save(state);
    expect(await store.load()).toEqual(state);
    expect(readdirSync(join(dir, 'nested/data'))).toEqual(['state.json']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('leaves the last good file in place when a write fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.json');
    const store = createStateStore(path, capture().log);
    const good = emptyState();
    good.lastCheck = 42;
    await store.save(good);
    // A folder where the temp file should go makes the write fail, as a full disk would.
    mkdirSync(join(dir, `.state.json.${process.pid}.tmp`));
    const next = emptyState();
    next.lastCheck = 43;
    await expect(store.save(next)).rejects.toThrow();
    expect((await store.load()).lastCheck).toBe(42);
  });

  it('ignores a temp file left by a crash mid-write', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.json');
    const store = createStateStore(path, capture().log);
    const good = emptyState();
    good.lastCheck = 7;
    await store.save(good);
    writeFileSync(join(dir, '.state.json.999.tmp'), '{"version":1,"hos');
    expect((await store.load()).lastCheck).toBe(7);
  });

  it.each([
    ['truncated JSON', '{"version":1,"hosts":{'],
    ['an empty file', ''],
    ['JSON of another shape', '{"version":99}'],
  ])('moves %s aside with a warning and starts afresh', async (_name, content) => {
    const dir = tempDir();
    const path = join(dir, 'state.json');
    writeFileSync(path, content);
    const { log, lines } = capture();
    const state = await createStateStore(path, log, () => 1234).load();
    expect(state).toEqual(emptyState());
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(join(dir, 'state.json.corrupt-1234'), 'utf8')).toBe(content);
    expect(lines.join('')).toContain('moved it to');
  });

  it('writeAtomically replaces the whole file', async () => {
    const dir = tempDir();
    const path = join(dir, 'f.json');
    await writeAtomically(path, 'a'.repeat(1000));
    await writeAtomically(path, 'short');
    expect(readFileSync(path, 'utf8')).toBe('short');
  });
});
