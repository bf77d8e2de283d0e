/**
 * `npm pack`, then `npm install -g <tarball>` into a temporary prefix, as a
 * user would: the installed `ddnsd` must start and check the example config.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const TOKEN = 'duck-npm-secret-93c1d7a2';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without npm's per-run settings (npm test sets npm_config_*), so the inner npm acts as a user's. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k) && !k.startsWith('DDNSD_') && !k.startsWith('LOG_')) env[k] = v;
  }
  return { ...env, ...extra };
}

function run(file: string, args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs: number }): Promise<Run> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: cleanEnv(options.env), timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the npm package', () => {
  let packed: { filename: string; files: { path: string }[] };
  let prefix: string;
  let install: Run;

  beforeAll(async () => {
    const out = tempDir();
    // npm test has just built dist/; prepack would rebuild it under the other test files' feet.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: ROOT, timeoutMs: 120_000 });
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    const [first] = JSON.parse(pack.stdout) as (typeof packed)[];
    if (!first) throw new Error('npm pack reported no package');
    packed = first;
    prefix = join(tempDir(), 'prefix');
    install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(out, packed.filename)], {
      cwd: out,
      timeoutMs: 180_000,
    });
  }, 300_000);

  it('holds only the bundled program, the example config, deploy examples and the README', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('dist/bundle/bin.cjs');
    // The whole program in one script, which one-shot commands run with their code cache (src/code-cache.ts).
    expect(paths).toContain('dist/bundle/ddnsd.cjs');
    // Its hash, which names the cache, and the libraries kept apart from it until one is required.
    expect(paths).toContain('dist/bundle/ddnsd.cjs.sha256');
    expect(paths).toContain('dist/bundle/ddnsd-lib.cjs');
    expect(paths).toContain('dist/bundle/THIRD-PARTY-LICENSES.txt');
    expect(paths.some((p) => /^dist\/bundle\/chunks\/once-[\w-]+\.mjs$/.test(p))).toBe(true);
    // The copy-me adapter is for contributors, not users.
    expect(paths.filter((p) => p.includes('_example'))).toEqual([]);
    expect(paths).toContain('config.example.yaml');
    expect(
      paths.filter(
        (p) =>
          !/^(dist\/bundle\/(bin\.cjs|cli\.mjs|ddnsd\.cjs|ddnsd\.cjs\.sha256|ddnsd-lib\.cjs|chunks\/[\w-]+\.mjs|THIRD-PARTY-LICENSES\.txt)|config\.example\.yaml|compose\.yaml|deploy\/kubernetes\/[\w-]+\.yaml|deploy\/prometheus\/ddnsd-alerts\.yaml|deploy\/grafana\/ddnsd\.json|README\.md|package\.json|LICENSE)$/.test(
            p,
          ),
      ),
    ).toEqual([]);
    // The alert rules and the dashboard for many sites, without their rule tests.
    expect(paths.filter((p) => /^deploy\/(prometheus|grafana)\//.test(p)).sort()).toEqual(['deploy/grafana/ddnsd.json', 'deploy/prometheus/ddnsd-alerts.yaml']);
    expect(paths.some((p) => p.startsWith('test/') || p.endsWith('.ts') || p.endsWith('.map'))).toBe(false);
    expect(pkg.scripts.prepack).toContain('npm run build');
    // The bundle holds its libraries: installing it fetches nothing else.
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ ddnsd: 'dist/bundle/bin.cjs' });
  });

  it('installs with npm install -g, and ddnsd runs --version and check on the example config', async () => {
    expect(install.code, install.stderr).toBe(0);
    const ddnsd = join(prefix, 'bin', 'ddnsd');
    expect(existsSync(ddnsd)).toBe(true);

    const work = tempDir();
    const version = await run(ddnsd, ['--version'], { cwd: work, timeoutMs: 15_000 });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    const example = join(prefix, 'lib', 'node_modules', 'ddnsd', 'config.example.yaml');
    copyFileSync(example, join(work, 'config.yaml'));
    const unset = await run(ddnsd, ['check'], { cwd: work, timeoutMs: 15_000 });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('DUCKDNS_TOKEN is not set');

    const check = await run(ddnsd, ['check'], { cwd: work, env: { DUCKDNS_TOKEN: TOKEN }, timeoutMs: 15_000 });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toContain(`the config is valid (${join(work, 'config.yaml')})`);
    expect(check.stdout).toContain('type: duckdns');
    expect(check.stdout).toContain('myoffice.duckdns.org');
    expect(check.stdout + check.stderr).not.toContain(TOKEN);
  });
});
