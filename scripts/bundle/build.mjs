#!/usr/bin/env node
/**
 * `npm run bundle`: ddnsd as a few self-contained files in dist/bundle/, built
 * by esbuild from src/ with every library inlined and what is unused left out.
 * The package's `ddnsd` command and the container image run this build;
 * dist/src (tsc) stays for the tests. Each command's code is its own chunk,
 * loaded by a dynamic import only when that command runs.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const OUT = join(ROOT, 'dist/bundle');

const undiciLean = {
  // ddnsd's own `import ... from 'undici'` gets the lean entry (undici-lean.cjs says why).
  name: 'undici-lean',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => (/[/\\](src|providers)[/\\]/.test(args.importer) ? { path: join(HERE, 'undici-lean.cjs') } : undefined));
  },
};

const undiciHttp2WhenUsed = {
  // undici's HTTP/2 client loads node:http2 (and with it tls and crypto) as
  // the client module loads: about 17 ms of every start, for connections
  // ddnsd never makes (it does not ask for HTTP/2). Loaded when first used instead.
  name: 'undici-http2-when-used',
  setup(b) {
    b.onLoad({ filter: /[/\\]undici[/\\]lib[/\\]dispatcher[/\\]client\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const connectH2 = require('./client-h2.js')";
      if (!source.includes(eager)) throw new Error(`${args.path} no longer says ${eager}; update the undici-http2-when-used step`);
      return { contents: source.replace(eager, "const connectH2 = (...args) => require('./client-h2.js')(...args)"), loader: 'js' };
    });
  },
};

const cryptoWhenUsed = {
  // ddnsd's own `import ... from 'node:crypto'` gets crypto-when-used.mjs (it says why).
  name: 'crypto-when-used',
  setup(b) {
    b.onResolve({ filter: /^node:crypto$/ }, (args) => (/[/\\](src|providers)[/\\]/.test(args.importer) ? { path: join(HERE, 'crypto-when-used.mjs') } : undefined));
  },
};

const undiciAssertLean = {
  // undici's `require('node:assert')` gets assert-lean.cjs (it says why).
  name: 'undici-assert-lean',
  setup(b) {
    b.onResolve({ filter: /^node:assert$/ }, (args) => (/[/\\]node_modules[/\\]undici[/\\]/.test(args.importer) ? { path: join(HERE, 'assert-lean.cjs') } : undefined));
  },
};

const pRetryClock = {
  // p-retry measures its time with the global `performance`, whose first use
  // loads Node's perf_hooks (about 0.9 MiB and 1 ms of every start); the same
  // monotonic milliseconds come from process.hrtime.
  name: 'p-retry-clock',
  setup(b) {
    b.onLoad({ filter: /[/\\]node_modules[/\\]p-retry[/\\]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const uses = source.split('performance.now()').length - 1;
      if (uses !== 2 || /performance\.(?!now\(\))/.test(source))
        throw new Error(`${args.path} no longer uses performance.now() twice and nothing else of it; update the p-retry-clock step`);
      return { contents: `const __ddnsdNow = () => Number(process.hrtime.bigint()) / 1e6;\n${source.replaceAll('performance.now()', '__ddnsdNow()')}`, loader: 'js' };
    });
  },
};

/**
 * fastify loads node:https and node:http2 as it loads, for servers it is
 * asked to make over TLS or HTTP/2, and prom-client node:https for its
 * Pushgateway client, which ddnsd does not use: about 2.5 MiB of the daemon
 * (TLS among them) when its status page speaks plain HTTP. Both libraries
 * only call them (`https.createServer(...)`), so each gets a stand-in that
 * loads the module at its first use.
 */
const serverBuiltinsWhenUsed = {
  name: 'server-builtins-when-used',
  setup(b) {
    const libraries = /[/\\]node_modules[/\\](fastify|prom-client)[/\\]/;
    b.onResolve({ filter: /^(node:)?(https|http2)$/ }, (args) =>
      libraries.test(args.importer) ? { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'ddnsd-builtin-when-used' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'ddnsd-builtin-when-used' }, (args) => ({
      contents: `let m;
const load = () => (m ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
});
`,
      loader: 'js',
    }));
  },
};

const zodEnglishOnly = {
  // zod's `z` namespace carries every message locale (`z.locales`), which
  // esbuild cannot leave out of a re-exported namespace; ddnsd speaks English only
  // (the default, which zod's schemas load themselves).
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /[/\\]locales[/\\]index\.js$/ }, (args) => (/[/\\]zod[/\\]/.test(args.importer) ? { path: 'zod-locales', namespace: 'ddnsd-empty' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'ddnsd-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * The libraries only some starts need (the status server's fastify and
 * prom-client, nodemailer, Route 53's XML parser) are left out of ddnsd.cjs
 * and built into ddnsd-lib.cjs, which is compiled when one of them is first
 * required: the one-shot commands read, compile and keep in memory half the
 * code (about 1 MB less source held as a string, 2.4 MiB of peak memory).
 */
const APART = ['fastify', 'prom-client', 'nodemailer', 'fast-xml-parser'];
const librariesApart = {
  name: 'libraries-apart',
  setup(b) {
    const names = new RegExp(`^(${APART.join('|')})$`);
    b.onResolve({ filter: names }, (args) => (/[/\\](src|providers)[/\\]/.test(args.importer) ? { path: args.path, namespace: 'ddnsd-lib' } : undefined));
    b.onResolve({ filter: /^\.\/ddnsd-lib\.cjs$/ }, () => ({ path: './ddnsd-lib.cjs', external: true }));
    b.onLoad({ filter: /.*/, namespace: 'ddnsd-lib' }, (args) => ({ contents: `module.exports = require('./ddnsd-lib.cjs')(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/** src/version.ts reads package.json at run time; the single executable has none beside it. */
const versionAsData = {
  name: 'version-as-data',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\]version\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const read = 'export const VERSION = readVersion();';
      if (!source.includes(read)) throw new Error(`${args.path} no longer says ${read}; update the version-as-data step`);
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
      return { contents: source.replace(read, `export const VERSION = ${JSON.stringify(version)};`), loader: 'ts' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
const TARGET = 'node20.18';
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: TARGET,
  // Less source to read and parse at every start; error messages keep their words.
  minify: true,
  treeShaking: true,
  // The libraries' licences go to THIRD-PARTY-LICENSES.txt, whole (thirdPartyLicenses below).
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  plugins: [undiciLean, undiciHttp2WhenUsed, undiciAssertLean, pRetryClock, cryptoWhenUsed, serverBuiltinsWhenUsed, zodEnglishOnly],
  // Libraries written as CommonJS call require() for Node's own modules.
  banner: { js: "import { createRequire as __ddnsdRequire } from 'node:module';\nconst require = __ddnsdRequire(import.meta.url);" },
});

/** What the two CommonJS files below share: one minified script each, import.meta.url from __filename. */
const CJS_SCRIPT = {
  absWorkingDir: ROOT,
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: TARGET,
  minify: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__ddnsdFileUrl' },
  banner: { js: "const __ddnsdFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};
// The executable: bin.ts as one small CommonJS file, which Node starts without
// its ES module loader (about 10 ms), so --version and --help are answered
// quickest; every command goes on to cli.mjs, the ES module build above.
await build({
  ...CJS_SCRIPT,
  entryPoints: { bin: 'src/bin.ts' },
  plugins: [
    {
      name: 'cli-from-the-module-build',
      setup(b) {
        b.onResolve({ filter: /^\.\/cli\.js$/ }, () => ({ path: './cli.mjs', external: true }));
      },
    },
  ],
});
// The whole program as one CommonJS file, for the two starts that compile it
// as a script with V8's code cache: bin.cjs with a cache in the user's cache
// folder (src/code-cache.ts), and the single executable (scripts/sea/build.mjs).
// The commands' modules stay lazy inside it (esbuild turns each import() into
// a function called when the command runs).
await build({
  ...CJS_SCRIPT,
  entryPoints: { ddnsd: 'src/cli.ts' },
  treeShaking: true,
  legalComments: 'none',
  // A script compiled by node:vm has no loader for import(): Node's modules come by require() instead.
  supported: { 'dynamic-import': false },
  // The single executable has no package.json beside it to read the version from (versionAsData).
  plugins: [undiciLean, undiciHttp2WhenUsed, undiciAssertLean, pRetryClock, cryptoWhenUsed, zodEnglishOnly, versionAsData, librariesApart],
});
// ddnsd-lib.cjs: a function from a library's name to its exports, each library set up at its first call.
await build({
  ...CJS_SCRIPT,
  stdin: {
    contents: `const L = { ${APART.map((n) => `${JSON.stringify(n)}: () => require(${JSON.stringify(n)})`).join(', ')} };\nmodule.exports = (name) => L[name]();\n`,
    resolveDir: ROOT,
    sourcefile: 'ddnsd-lib.cjs',
  },
  plugins: [serverBuiltinsWhenUsed],
  outfile: join(OUT, 'ddnsd-lib.cjs'),
  outdir: undefined,
  outExtension: undefined,
  legalComments: 'none',
});
// The program's hash, which names its code cache (src/code-cache.ts), is taken here once rather than at every start.
writeFileSync(
  join(OUT, 'ddnsd.cjs.sha256'),
  `${createHash('sha256')
    .update(readFileSync(join(OUT, 'ddnsd.cjs')))
    .digest('hex')}\n`,
);
writeFileSync(join(ROOT, 'dist/bundle-meta.json'), JSON.stringify(result.metafile));
writeFileSync(join(OUT, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(Object.keys(result.metafile.inputs)));
let bytes = 0;
for (const [file, info] of Object.entries(result.metafile.outputs)) if (file.endsWith('.mjs')) bytes += info.bytes;
process.stderr.write(`bundle: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.mjs')).length} files, ${(bytes / 1024).toFixed(0)} KiB in dist/bundle/\n`);

/** The name, version and licence text of every library with code in the bundle. */
function thirdPartyLicenses(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  const parts = ['ddnsd bundles the following libraries; their licences follow.\n'];
  for (const dir of [...dirs].sort()) {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text =
      file && existsSync(join(ROOT, dir, file)) ? readFileSync(join(ROOT, dir, file), 'utf8').trim() : `(no licence file; package.json says ${pkg.license ?? 'nothing'})`;
    parts.push(`${'-'.repeat(72)}\n${pkg.name} ${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`);
  }
  return parts.join('\n');
}
