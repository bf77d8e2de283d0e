import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_CONFIGS } from '../helpers/bad-configs.js';
import { runCli, tempDir, writeConfig } from '../helpers/cli.js';
import { record } from './report.js';

/** Secrets that some of the bad configs carry: none may be echoed back. */
const SECRETS = ['tok-12345678', 't12345678'];

describe('bad configs through the real CLI', () => {
  it(`each of ${BAD_CONFIGS.length} bad configs exits 2 naming the key path (and the line for YAML errors)`, async () => {
    const results = [];
    // A few at a time: each is a process start.
    for (let i = 0; i < BAD_CONFIGS.length; i += 6) {
      const batch = BAD_CONFIGS.slice(i, i + 6).map(async ([name, yaml, expected, env, files]) => {
        const dir = tempDir();
        writeConfig(dir, yaml);
        for (const [file, content] of Object.entries(files ?? {})) {
          mkdirSync(dirname(join(dir, file)), { recursive: true });
          writeFileSync(join(dir, file), content);
        }
        const result = await runCli(['check'], { cwd: dir, ...(env ? { env } : {}) });
        return { name, expected, result };
      });
      results.push(...(await Promise.all(batch)));
    }
    const outputs: string[] = [];
    for (const { name, expected, result } of results) {
      outputs.push(result.stdout, result.stderr);
      expect(result.code, name).toBe(2);
      if (typeof expected === 'string') expect(result.stderr, name).toContain(expected);
      else expect(result.stderr, name).toMatch(expected);
      if (name.startsWith('YAML') || name.includes('YAML')) expect(result.stderr, name).toMatch(/line \d+, column \d+/);
      expect(result.stdout, name).toBe('');
    }
    record({
      area: 'Config',
      fault: `${BAD_CONFIGS.length} bad configs: wrong types, unknown keys, bad durations, empty and duplicate hosts, missing secrets and _file, http endpoints off the machine, invalid listen addresses, YAML syntax errors`,
      expected: 'each exits 2 with a message naming the key path (and the line)',
      observed: `${results.filter((r) => r.result.code === 2).length} of ${results.length} exited 2 with the expected message; nothing started`,
      requests: 'none',
      inputs: BAD_CONFIGS.length,
      outputs,
      secrets: SECRETS,
    });
  }, 120_000);
});
