/**
 * One-shot commands of the bundle (dist/bundle/bin.cjs, what `npm install`
 * gives) start from a V8 code cache in the user's cache folder
 * (src/code-cache.ts): written after the first run, read by the next, for
 * `once` against a local dyndns2 fake and echo source on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHES_KEPT, cacheFile, cacheFolder } from '../src/code-cache.js';
import { startDyndns2, type FakeDyndns2 } from './fakes/dyndns2.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { startRoute53 } from './fakes/route53.js';
import { childEnv, tempDir, type CliResult } from './helpers/cli.js';

const BUNDLE = resolve(import.meta.dirname, '../dist/bundle/bin.cjs');
const ADDRESS = '81.2.69.160'; // data only: the echo fake answers it
const PASS = 'code-cache-pass-5e1c9a';

function bundle(args: string[], cwd: string, env: Record<string, string>, bin = BUNDLE): Promise<CliResult> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

describe('the code cache of one-shot commands', () => {
  let echo: EchoServer;
  let dyn: FakeDyndns2;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    echo = await startEcho(ADDRESS);
    dyn = await startDyndns2({ username: 'cache-user', password: PASS, hosts: ['a.example.net', 'b.example.net'] });
    dir = tempDir();
    config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nproviders:\n  - type: dyndns2\n    endpoint: ${dyn.url}\n    username: cache-user\n    password: ${PASS}\n    hosts: [a.example.net, b.example.net]\n`,
    );
  });
  afterAll(async () => {
    await Promise.all([echo?.close(), dyn?.close()]);
  });

  it('is written after the first `once` and accepted by the second, after an HTTP request set V8 flags', async () => {
    const cache = join(dir, 'xdg');
    const env = { XDG_CACHE_HOME: cache, DDNSD_STATE: join(dir, 'state.json') };
    const first = await bundle(['once', '-c', config], dir, env);
    expect(first.code, first.stderr).toBe(0);
    expect(dyn.updates()).toHaveLength(1);
    const files = readdirSync(join(cache, 'ddnsd'));
    expect(files).toEqual([expect.stringMatching(/^once-[0-9a-f]{20}\.v8cache$/)]);
    const file = join(cache, 'ddnsd', files[0] as string);
    const written = statSync(file);
    expect(written.mode & 0o777).toBe(0o600);

    // The second run finds the state current and asks no provider. A cache V8 rejects is written
    // again (a new file renamed over the old); one it accepts is left as it is.
    const second = await bundle(['once', '-c', config], dir, env);
    expect(second.code, second.stderr).toBe(0);
    expect(dyn.updates()).toHaveLength(1);
    expect(statSync(file).ino).toBe(written.ino);
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
  });

  it("loads none of Node.js's modules a dyndns2 `once` does not use: crypto, perf_hooks, assert, dgram, readline, TLS, HTTP/2", async () => {
    const cache = join(dir, 'xdg-modules');
    const list = join(dir, 'modules.txt');
    const hook = join(dir, 'list-modules.cjs');
    writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
    const env = { XDG_CACHE_HOME: cache, DDNSD_STATE: join(dir, 'state-modules.json'), NODE_OPTIONS: `--require ${hook}` };
    const before = dyn.updates().length;
    for (const run of ['without a cache', 'from the cache']) {
      const result = await bundle(['once', '-c', config], dir, env);
      expect(result.code, `${run}: ${result.stderr}`).toBe(0);
      const loaded = readFileSync(list, 'utf8').split('\n');
      expect(loaded, run).toContain('NativeModule net');
      const unused = loaded.filter((m) => /^NativeModule (crypto|perf_hooks|assert|dgram|readline|tls|http2|internal\/fs\/promises)$/.test(m));
      expect(unused, run).toEqual([]);
    }
    expect(dyn.updates().length - before).toBe(1);
  });

  it('ignores a foreign or damaged cache, runs as without one and writes its own', async () => {
    const cache = join(dir, 'xdg-damaged');
    const env = { XDG_CACHE_HOME: cache, DDNSD_STATE: join(dir, 'state-2.json') };
    mkdirSync(join(cache, 'ddnsd'), { recursive: true });
    const file = cacheFile(join(cache, 'ddnsd'), 'check', readFileSync(resolve(BUNDLE, '../ddnsd.cjs'), 'utf8'));
    writeFileSync(file, Buffer.alloc(4096, 7));
    const before = statSync(file).ino;
    const run = await bundle(['check', '-c', config], dir, env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('the config is valid');
    expect(statSync(file).ino).not.toBe(before);
    expect(readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it(`keeps the ${CACHES_KEPT} most recently written caches of a command (another install's among them) and removes older ones`, async () => {
    const cache = join(dir, 'xdg-kept');
    const folder = join(cache, 'ddnsd');
    mkdirSync(folder, { recursive: true });
    const days = (n: number): Date => new Date(Date.now() - n * 86_400_000);
    const others = ['check-aaaaaaaaaaaa00000001', 'check-aaaaaaaaaaaa00000002', 'check-aaaaaaaaaaaa00000003', 'check-aaaaaaaaaaaa00000004'].map((n) =>
      join(folder, `${n}.v8cache`),
    );
    others.forEach((f, i) => {
      writeFileSync(f, 'x');
      utimesSync(f, days(i + 1), days(i + 1));
    });
    writeFileSync(join(folder, 'once-aaaaaaaaaaaa00000009.v8cache'), 'x');
    utimesSync(join(folder, 'once-aaaaaaaaaaaa00000009.v8cache'), days(90), days(90));
    const run = await bundle(['check', '-c', config], dir, { XDG_CACHE_HOME: cache, DDNSD_STATE: join(dir, 'state-kept.json') });
    expect(run.code, run.stderr).toBe(0);
    const own = basename(cacheFile(folder, 'check', readFileSync(resolve(BUNDLE, '../ddnsd.cjs'), 'utf8')));
    // Its own, the two newest others; another command's cache is not this command's to remove.
    expect(readdirSync(folder).sort()).toEqual([own, basename(others[0] as string), basename(others[1] as string), 'once-aaaaaaaaaaaa00000009.v8cache'].sort());
  });

  it('writes nothing without a cache folder, and DDNSD_CODE_CACHE=0 turns it off', async () => {
    const cache = join(dir, 'xdg-off');
    const off = await bundle(['check', '-c', config], dir, { XDG_CACHE_HOME: cache, DDNSD_CODE_CACHE: '0' });
    expect(off.code, off.stderr).toBe(0);
    expect(() => readdirSync(cache)).toThrow();
    expect(cacheFolder({}, 'linux', '/nonexistent')).toBeUndefined();
    expect(cacheFolder({}, 'linux', '')).toBeUndefined();
  });

  it('lives in $XDG_CACHE_HOME, ~/.cache or, on macOS, ~/Library/Caches', () => {
    expect(cacheFolder({ XDG_CACHE_HOME: '/var/cache/u' }, 'linux', '/home/u')).toBe('/var/cache/u/ddnsd');
    expect(cacheFolder({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.cache/ddnsd');
    expect(cacheFolder({}, 'linux', '/home/u')).toBe('/home/u/.cache/ddnsd');
    expect(cacheFolder({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/ddnsd');
  });

  it('reads the libraries kept apart (ddnsd-lib.cjs) only for a command that requires one', async () => {
    // A copy of the bundle without ddnsd-lib.cjs: dyndns2 needs none of those libraries, Route 53 its XML parser.
    const copy = join(dir, 'bundle-copy');
    cpSync(resolve(BUNDLE, '..'), copy, { recursive: true });
    const lib = join(copy, 'ddnsd-lib.cjs');
    renameSync(lib, `${lib}.away`);
    const env = { XDG_CACHE_HOME: join(dir, 'xdg-lib'), DDNSD_STATE: join(dir, 'state-lib.json') };
    const plain = await bundle(['once', '-c', config], dir, env, join(copy, 'bin.cjs'));
    expect(plain.code, plain.stderr).toBe(0);

    const aws = await startRoute53({ keys: { AKIALIBRARYAPART0001: 'library/apart/secret+0123456789' }, zones: { 'example.org': 'Z0LIBRARYAPART' } });
    try {
      const r53 = join(dir, 'route53.yaml');
      writeFileSync(
        r53,
        `detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nproviders:\n  - type: route53\n    endpoint: ${aws.url}\n    access_key_id: AKIALIBRARYAPART0001\n    secret_access_key: library/apart/secret+0123456789\n    hosts: [lib.example.org]\n`,
      );
      const renv = { ...env, DDNSD_STATE: join(dir, 'state-r53.json') };
      const without = await bundle(['once', '-c', r53], dir, renv, join(copy, 'bin.cjs'));
      expect(without.code).not.toBe(0);
      expect(without.stderr).toContain('ddnsd-lib.cjs');
      expect(aws.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      renameSync(`${lib}.away`, lib);
      const withLib = await bundle(['once', '-c', r53], dir, { ...renv, DDNSD_STATE: join(dir, 'state-r53-lib.json') }, join(copy, 'bin.cjs'));
      expect(withLib.code, withLib.stderr + withLib.stdout).toBe(0);
      expect(aws.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    } finally {
      await aws.close();
    }
  });
});
