#!/usr/bin/env node
/**
 * `npm run build:sea`: ddnsd as one file per platform, a Node.js single
 * executable application: dist/sea/ddnsd-linux-x64 and ddnsd-linux-arm64,
 * and dist/sea/SHA256SUMS. Run after `npm run build` (build:sea does both).
 *
 * Each is the pinned Node.js binary of its platform (scripts/sea/node.json:
 * the npm registry's node-linux-<arch> package, checked against its
 * integrity, fetched with `npm pack` into .cache/sea/) with a blob injected by
 * postject. The blob holds a starter (src/bin.ts built for the executable:
 * --version, --help and the container's health check are answered there) and
 * the program as an asset (dist/bundle/ddnsd.cjs), which the starter compiles
 * with the code cache in the user's cache folder (src/code-cache.ts), and the
 * libraries kept apart from it (ddnsd-lib.cjs), compiled at their first use.
 *
 * The starter's own code cache is built into the blob where this machine can
 * run the target's Node.js (it must be the same binary under the same V8
 * flags); V8's code cache of the starter holds a few KiB, so the other
 * platform's blob goes without rather than needing an emulator to build.
 * No startup snapshot: Node.js 20's snapshot builder cannot load node:http,
 * node:https or node:tls, which undici and the config's TLS settings load at
 * their start, so a snapshot could hold only what Node.js's own already holds.
 *
 *   node scripts/sea/build.mjs [--target linux-x64,linux-arm64]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { inject } from 'postject';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const OUT = join(ROOT, 'dist/sea');
const CACHE = join(ROOT, '.cache/sea');
const PROGRAM = join(ROOT, 'dist/bundle/ddnsd.cjs');
const PIN = JSON.parse(readFileSync(join(HERE, 'node.json'), 'utf8'));
/** The fuse Node.js looks for to know a blob was injected (the same in every release). */
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const linux = Object.keys(PIN.targets).filter((t) => !PIN.targets[t].fromThisMachine);
const { values } = parseArgs({ options: { target: { type: 'string', default: linux.join(',') } } });
const targets = values.target.split(',');
for (const t of targets) if (!PIN.targets[t]) throw new Error(`--target ${t}: not one of ${Object.keys(PIN.targets).join(', ')} (scripts/sea/node.json)`);
if (!existsSync(PROGRAM)) throw new Error(`${PROGRAM} is missing: run npm run build first (npm run build:sea does both)`);

/** The pinned Node.js binary of a target, from the npm registry, checked against the pinned integrity. */
function nodeBinary(target) {
  if (PIN.targets[target].fromThisMachine) {
    // macOS: the Node.js that runs this script, which must be the pinned version on that platform.
    if (`${platform()}-${arch()}` !== target || process.version !== `v${PIN.version}`)
      throw new Error(`${target} is built on ${target} with Node.js v${PIN.version} (scripts/sea/build-macos.sh)`);
    return process.execPath;
  }
  const { package: name, integrity } = PIN.targets[target];
  const dir = join(CACHE, `${name}-${PIN.version}`);
  const bin = join(dir, 'node');
  if (existsSync(bin)) return bin;
  const work = mkdtempSync(join(tmpdir(), 'ddnsd-sea-'));
  try {
    execFileSync('npm', ['pack', '--silent', `${name}@${PIN.version}`, '--pack-destination', work], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    const tgz = join(work, `${name}-${PIN.version}.tgz`);
    const [algo, expected] = integrity.split(/-(.*)/s);
    const actual = createHash(algo).update(readFileSync(tgz)).digest('base64');
    if (actual !== expected) throw new Error(`${name}@${PIN.version}: integrity ${algo}-${actual} is not the pinned ${integrity}`);
    execFileSync('tar', ['-xzf', tgz, '-C', work, 'package/bin/node', 'package/LICENSE']);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(work, 'package/LICENSE'), join(dir, 'LICENSE'));
    renameSync(join(work, 'package/bin/node'), `${bin}.tmp`);
    renameSync(`${bin}.tmp`, bin);
    return bin;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The starter: src/bin.ts as one CommonJS file that takes the program from the executable's asset. */
async function starter(file) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/bin.ts'],
    outfile: file,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20.18',
    minify: true,
    logLevel: 'warning',
    // A script compiled by node:vm (or an executable's starter) has no loader for import(): require() instead.
    supported: { 'dynamic-import': false },
    define: { __DDNSD_SEA__: 'true', 'import.meta.url': '__ddnsdFileUrl' },
    banner: { js: "const __ddnsdFileUrl = require('node:url').pathToFileURL(process.execPath).href;" },
    plugins: [
      {
        // The executable runs the program from its asset; the module build is not in it.
        name: 'no-module-build',
        setup(b) {
          b.onResolve({ filter: /^\.\/cli\.js$/ }, () => ({ path: './cli.mjs', external: true }));
        },
      },
    ],
  });
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'ddnsd-sea-'));
  try {
    const main = join(work, 'starter.cjs');
    await starter(main);
    const here = `${platform()}-${arch()}`;
    const sums = [];
    for (const target of targets) {
      const node = nodeBinary(target);
      const native = target === here;
      const blob = join(work, `${target}.blob`);
      const config = join(work, `${target}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          main,
          output: blob,
          disableExperimentalSEAWarning: true,
          useSnapshot: false,
          useCodeCache: native,
          assets: { 'ddnsd.cjs': PROGRAM, 'ddnsd.cjs.sha256': `${PROGRAM}.sha256`, 'ddnsd-lib.cjs': join(dirname(PROGRAM), 'ddnsd-lib.cjs') },
        }),
      );
      // The blob is made by the very Node.js it goes into when this machine runs it, and by this machine's
      // pinned Node.js otherwise (the blob's format follows the version; without a code cache, not the architecture).
      const maker = native ? node : PIN.targets[here] ? nodeBinary(here) : process.execPath;
      if (maker === process.execPath && process.version !== `v${PIN.version}`)
        throw new Error(`building ${target} on ${here} needs Node.js v${PIN.version} (this is ${process.version})`);
      execFileSync(maker, ['--experimental-sea-config', config], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'], env: { PATH: process.env.PATH } });
      const out = join(OUT, `ddnsd-${target}`);
      copyFileSync(node, out);
      chmodSync(out, 0o755);
      const mac = target.startsWith('darwin-');
      // macOS: the copy's signature goes before the blob goes in; build-macos.sh signs the result.
      if (mac) execFileSync('codesign', ['--remove-signature', out]);
      await inject(out, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: FUSE, ...(mac ? { machoSegmentName: 'NODE_SEA' } : {}) });
      sums.push(`${createHash('sha256').update(readFileSync(out)).digest('hex')}  ddnsd-${target}`);
      process.stderr.write(`sea: dist/sea/ddnsd-${target} (Node.js ${PIN.version}${native ? ", with the starter's code cache" : ''})\n`);
    }
    writeFileSync(join(OUT, 'SHA256SUMS'), `${sums.join('\n')}\n`);
    if (targets.some((t) => t.startsWith('darwin-'))) process.stderr.write('sea: sign it before SHA256SUMS counts (scripts/sea/build-macos.sh does)\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
