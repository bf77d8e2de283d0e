#!/usr/bin/env node
/**
 * `npm run test:bundle`: the tests that run the `ddnsd` executable, again
 * against the bundle users run (dist/bundle/bin.cjs) instead of the tsc build.
 * A test file takes part when it uses the CLI helper's runCli, startCli or BIN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
if (!existsSync(join(ROOT, 'dist/bundle/bin.cjs'))) {
  process.stderr.write('test:bundle: dist/bundle/bin.cjs is missing; run npm run build first\n');
  process.exit(1);
}
const files = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join(ROOT, 'test', f))
  .filter((f) => /helpers\/cli\.js'/.test(readFileSync(f, 'utf8')) && /\b(runCli|startCli|BIN)\b/.test(readFileSync(f, 'utf8')))
  .map((f) => relative(ROOT, f))
  .sort();
const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, DDNSD_TEST_BUNDLE: '1' },
});
process.exit(run.status ?? 1);
