// Bundles the tsc output (dist/) into what the package publishes (bundle/): one file per public
// entry point of package.json "exports" and per bin, plus shared chunks, in ONE esbuild run.
//
// Why: Node 20 pays per ES module, not per line. The 77 modules behind `import 'tiercel/hosting'`
// cost ~64 ms of CPU to load (92 empty chained ES modules: ~65 ms; one file holding them: ~3 ms).
// Why one run with code splitting: code reached from two entry points lands in one shared chunk,
// so a class exists once and `instanceof` holds across 'tiercel/connection' and 'tiercel/hosting'.
// Each lazy `import()` (HTTP/1.1, HTTP/2, TLS) becomes a chunk of its own and stays lazy.
//
// The input is tsc's JavaScript, which already holds the decorator metadata tsyringe reads
// (emitDecoratorMetadata): esbuild bundles it as it is and never compiles TypeScript here. Every
// package (peer and runtime dependencies) stays external, so an app and tiercel share one
// tsyringe. The .d.ts files stay as tsc writes them, in dist/. Source maps chain through tsc's
// (which inline the .ts sources), so the bundle's maps carry the sources the package does not ship.
//
//   node scripts/bundle.mjs          (after tsc; `npm run build` runs both)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFiles } from '../dist/connection/package-files.js';
import { reexports, toCodeCachedScript, writeLauncher } from './code-cache.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'bundle';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** bundle/hosting/index.js ← dist/hosting/index.js: what each published path is built from. */
function sourceOf(published) {
  const rel = published.replace(/^\.\//, '');
  if (!rel.startsWith(`${OUT}/`)) throw new Error(`${published}: a published entry point must be under ${OUT}/`);
  return join('dist', rel.slice(OUT.length + 1));
}

// The bin is published as a CommonJS launcher (`cli.cjs`, written last) of the bundled `cli.js`.
const binEntry = (bin) => bin.replace(/\.cjs$/, '.js');
const published = [...Object.values(pkg.exports).map((target) => target.default), ...Object.values(pkg.bin).map(binEntry)];
// Not a package export: the demo app `tiercel serve` runs, as its own entry so that the benchmark's
// tiercel server (bench/servers/tiercel.mjs) runs the code users get, not tsc's unbundled dist/.
// Its code is the bin's, so this adds an entry file and moves the demo into a shared chunk.
const unexported = [`${OUT}/hosting/demo-app.js`];
/** Columns esbuild breaks its minified lines at (it may overrun to finish a token). */
const LINE_LIMIT = 160;
const options = {
  absWorkingDir: root,
  outbase: 'dist',
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Without it esbuild renames classes: tsc's decorated ones (\`let X = class X\`, reassigned by
  // __decorate) become MemoryTransport2, classes with static members _TestServer. Error messages,
  // logs and tsyringe's errors name classes. Costs ~4 ms of CPU at import (459 __name calls).
  keepNames: true,
  minifyWhitespace: true,
  // Node prints the source line of an uncaught error's throw site: without a limit that line was a
  // whole chunk (an invalid option at listen() printed 56 kB of code above its one-line message).
  lineLimit: LINE_LIMIT,
  sourcemap: 'linked',
  sourcesContent: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  metafile: true,
};

// Few chunks on the start path. esbuild puts a module in the chunk of the exact set of entry
// points that reach it, and every lazy `import()` is an entry point too: the code
// `import 'tiercel/hosting'` and `tiercel serve` need was spread over ~25 chunks (one of 850 bytes),
// and Node 20 pays each ES module's resolve, read, package-scope lookup, compile and link (~1 ms of
// CPU apiece, more than compiling 10 kB). So the modules a GROUP reaches statically are made to be
// reached by one same set of entry points: each entry point (public or lazy) that reaches any of
// them imports the group's root first, and they land in one chunk. A module still exists once,
// so `instanceof` and tokens hold across entry points; lazy code stays lazy.
// - the serve core: what `tiercel serve` reaches before it builds the server (the bin's static
//   imports) and the server itself. Every entry point reaches part of it, so 'tiercel/connection'
//   alone loads the whole serve core.
// - the rest of what 'tiercel/hosting' reaches: TestServer, its test client, ManualClock (~20 kB
//   that a server does not run; 'tiercel/hosting' loads both chunks).
// - what `tiercel serve` loads after the serve core (cli-app.js: the pipeline, the demo app, its
//   metrics), loaded by the entry points that reach any of it ('tiercel/pipeline', middleware,
//   observability).
// A group's root is a module of the build's own (`tiercel-group:<name>`) that imports its roots.
const entries = [...published, ...unexported].map(sourceOf);
// A first pass (nothing written) finds the lazy entry points and what each module reaches.
const probe = await build({ ...options, entryPoints: entries, write: false });
const staticImports = (file) => probe.metafile.inputs[file].imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path);
function closure(from) {
  const seen = new Set();
  for (const queue = [...from]; queue.length > 0; ) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...staticImports(file));
  }
  return seen;
}
const BIN = sourceOf(binEntry(pkg.bin.tiercel));
const GROUPS = [
  // The server first, as 'tiercel/hosting' (hosting/index.ts) had it evaluated.
  { name: 'serve-core', roots: ['dist/hosting/server.js', ...staticImports(BIN)] },
  { name: 'hosting', roots: ['dist/hosting/index.js'] },
  { name: 'serve', roots: ['dist/hosting/cli-app.js'] },
];
const groups = [];
for (const { name, roots } of GROUPS) {
  const own = closure(roots);
  own.delete(BIN); // the bin runs when loaded: never inside a group
  for (const g of groups) for (const f of g.members) own.delete(f);
  groups.push({ root: `tiercel-group:${name}`, roots, members: own });
}
const lazy = Object.values(probe.metafile.outputs)
  .map((o) => o.entryPoint)
  .filter((e) => e !== undefined && !entries.includes(e));
/** The group roots `entry` imports first: those it reaches part of (a lazy entry point inside a group: none, no cycle). */
const rootsFor = (entry, wrapped) => {
  const reached = closure([entry]);
  return groups.filter((g) => (wrapped || !g.members.has(entry)) && [...g.members].some((f) => reached.has(f))).map((g) => g.root);
};
const lazyRoots = new Map(lazy.map((e) => [join(root, e), rootsFor(e, false)]));
// On one line: put before a lazy entry's first line, its source map's lines still match.
const imports = (roots) => roots.map((r) => `import ${JSON.stringify(r)};`).join('');
// Built-ins from process.getBuiltinModule(), not through their ES module facades. Node makes a
// built-in's facade on the first ES import of it by copying every export, which runs the lazy
// getters: node:fs's loads its streams (ReadStream, WriteStream) and fs/promises, node:net's the
// BlockList and SocketAddress modules; none of which a server needs to listen. Rewritten in tsc's
// output, each import on its own line, so the source maps still match line for line:
// `import { a, b as c } from 'node:x';` → `const { a, b: c } = process.getBuiltinModule('node:x');`
// (a default or namespace import is the module object itself, as in CommonJS).
const BUILTIN_IMPORT = /^import (\{[^}]*\}|\* as [\w$]+|[\w$]+) from '(node:[^']+)';/gm;
function takeBuiltins(source) {
  return source.replace(BUILTIN_IMPORT, (_, what, id) => {
    const binding = what.startsWith('{') ? what.replace(/\s+as\s+/g, ': ') : what.replace(/^\* as /, '');
    return `const ${binding} = process.getBuiltinModule(${JSON.stringify(id)});`;
  });
}
// keepNames makes esbuild call __name(fn, "name") for every function and class it emits (~480 on
// the serve path, each an Object.defineProperty run while the module loads), though it renames
// few. Where the name the code already gives is the original one, the call changes nothing and is
// blanked (spaces of the same length, so the source maps still hold): a function declaration
// `function f(){…}__name(f,"f")` (the names esbuild renamed read `__name(f2,"f")` and stay), and
// a class whose own or binding name is the original, `var C=class{static{__name(this,"C")}…`
// (NamedEvaluation names an anonymous class after the variable it initialises).
const FUNCTION_NAME = /(?<=[;{}])__name\(([\w$]+),"([\w$]+)"\);?/g;
const CLASS_NAME = /(?:(?<=(?:var|let|const) ([\w$]+)=)class|class ([\w$]+))(?: extends [\w$.]+)?\{(static\{__name\(this,"([\w$]+)"\)\})/g;
function withoutRedundantNames(code) {
  const blank = (text) => ' '.repeat(text.length);
  const declared = new Set([...code.matchAll(/function\*? ?([\w$]+)\(/g)].map((m) => m[1]));
  return code
    .replace(FUNCTION_NAME, (call, id, name) => (id === name && declared.has(id) ? blank(call) : call))
    .replace(CLASS_NAME, (whole, binding, own, block, name) => ((own ?? binding) === name ? whole.replace(block, blank(block)) : whole));
}
/** Public entry points through a wrapper (their own module may be in a group: no cycle), lazy ones directly. */
const fewChunks = {
  name: 'few-chunks',
  setup(b) {
    b.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path.slice('entry:'.length), namespace: 'entry' }));
    b.onResolve({ filter: /^tiercel-group:/ }, (args) => ({ path: args.path, namespace: 'group' }));
    b.onLoad({ filter: /.*/, namespace: 'group' }, (args) => {
      const group = groups.find((g) => g.root === args.path);
      return { contents: imports(group.roots.map((r) => join(root, r))), resolveDir: root, loader: 'js' };
    });
    b.onLoad({ filter: /.*/, namespace: 'entry' }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      // The bin's hashbang must stay the first line of its file.
      const hashbang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1) : '';
      const roots = rootsFor(relative(root, args.path).split(sep).join('/'), true);
      return { contents: `${hashbang}${imports(roots)}\nexport * from ${JSON.stringify(args.path)};\n`, resolveDir: root, loader: 'js' };
    });
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const roots = lazyRoots.get(args.path) ?? [];
      return { contents: imports(roots) + takeBuiltins(readFileSync(args.path, 'utf8')), resolveDir: dirname(args.path), loader: 'js' };
    });
  },
};
rmSync(join(root, OUT), { recursive: true, force: true });
const result = await build({
  ...options,
  entryPoints: entries.map((e) => ({ in: `entry:${join(root, e)}`, out: e.slice('dist/'.length, -'.js'.length) })),
  plugins: [fewChunks],
});
if (result.errors.length > 0) process.exit(1);
// BUNDLE_META=<file>: esbuild's metafile, to see what each chunk holds (`bytesInOutput` per input).
if (process.env.BUNDLE_META !== undefined) writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile));
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
let kept = 0;
let blanked = 0;
for (const file of outputs) {
  const path = join(root, file);
  const code = readFileSync(path, 'utf8');
  const lean = withoutRedundantNames(code);
  kept += (lean.match(/__name\(/g) ?? []).length;
  blanked += (code.match(/__name\(/g) ?? []).length - (lean.match(/__name\(/g) ?? []).length;
  if (lean !== code) writeFileSync(path, lean);
}
console.log(`bundle/: ${published.length + unexported.length} entry points, ${outputs.length} files; keepNames: ${kept} __name calls kept, ${blanked} redundant blanked`);

// The peer dependencies, each in ONE CommonJS file: bundle/vendor/<name>-<version>.cjs, made from
// the build Node itself loads (the package's main and what it requires, tslib for tsyringe),
// whitespace-minified, beside <name>-<version>.LICENSE.txt (the licences of what it holds).
// Node's CommonJS loader spends most of tsyringe's ~25 ms of CPU at start resolving its 34 files'
// extensionless relative require()s (one file: ~3.5 ms), and most of reflect-metadata's ~5 ms
// compiling its comments (~2.5 ms). connection/tsyringe.ts uses a copy only for that very version
// of the installed package, and puts it in require's cache under the installed package's main, so
// it is still the process's one copy (the app's require or import of it gets it); otherwise, and
// from dist/, require() loads the installed files.
const fromRoot = createRequire(join(root, 'package.json'));
for (const name of Object.keys(pkg.peerDependencies)) {
  const main = fromRoot.resolve(name);
  const folder = `${sep}node_modules${sep}${name}${sep}`;
  const { version } = JSON.parse(readFileSync(main.slice(0, main.lastIndexOf(folder) + folder.length) + 'package.json', 'utf8'));
  const base = join(root, OUT, 'vendor', `${name}-${version}`);
  const vendor = await build({
    absWorkingDir: root,
    entryPoints: [main],
    outfile: `${base}.cjs`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    keepNames: true,
    minifyWhitespace: true,
    lineLimit: LINE_LIMIT,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  if (vendor.errors.length > 0) process.exit(1);
  // Their licences, as MIT and Apache-2.0 ask of every copy.
  const packageDirs = new Set(Object.keys(vendor.metafile.inputs).map((f) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((d) => d !== undefined));
  const notices = [...packageDirs].sort().map((dir) => {
    const held = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const files = ['LICENSE', 'LICENSE.txt', 'LICENSE.md', 'NOTICE', 'CopyrightNotice.txt'].map((f) => join(root, dir, f)).filter((f) => existsSync(f));
    if (files.length === 0) throw new Error(`${dir}: no licence file to ship with its bundled copy`);
    return `${held.name}@${held.version} (${held.license}):\n\n${files.map((f) => readFileSync(f, 'utf8').trim()).join('\n\n')}`;
  });
  writeFileSync(`${base}.LICENSE.txt`, `${notices.join('\n\n----\n\n')}\n`);
  const held = notices.map((n) => n.slice(0, n.indexOf(':'))).join(', ');
  writeFileSync(`${base}.cjs`, `/*! ${held}, bundled: licences in ${name}-${version}.LICENSE.txt */\n${readFileSync(`${base}.cjs`, 'utf8')}`);
  // The installed package's own files it was made from and their sizes: the copy stands in for the
  // installed package only while those are unchanged (connection/package-files.ts).
  const packageFolder = main.slice(0, main.lastIndexOf(folder) + folder.length);
  const files = Object.keys(vendor.metafile.inputs)
    .map((f) => join(root, f))
    .filter((f) => f.startsWith(packageFolder))
    .map((f) => f.slice(packageFolder.length))
    .sort();
  const sizes = packageFiles(packageFolder, files);
  if (sizes === undefined) throw new Error(`${name}: its files could not be read`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ files: sizes })}\n`);
  console.log(`bundle/vendor: ${name}-${version}.cjs from ${Object.keys(vendor.metafile.inputs).length} files`);
}

// The chunks `tiercel serve` compiles before it listens (the serve core's and the serve group's) and
// the bin become code-cached scripts behind facades, the bin also behind a CommonJS launcher, the
// package's bin (scripts/code-cache.mjs says why), and one real `tiercel serve` writes their code
// caches. Without a cache (a build that cannot listen on loopback, another Node at run time) they
// load as before, only compiled from scratch.
const metaOutputs = result.metafile.outputs;
const startChunks = Object.keys(metaOutputs).filter((file) => ['dist/hosting/server.js', 'dist/hosting/cli-app.js'].some((f) => f in metaOutputs[file].inputs));
if (startChunks.length !== 2) throw new Error(`expected the serve core and the serve group in two chunks, found ${startChunks.length}`);
const binFile = binEntry(pkg.bin.tiercel).replace(/^\.\//, '');
const scripts = {};
/** `bundle/chunks/chunk-X.js` → `chunks/chunk-X`: a script's name for the launcher. */
const scriptName = (file) => file.slice(OUT.length + 1, -'.js'.length);
/** The script name of what `specifier` names from the output `from` (both relative to the root). */
const importedName = (from, specifier) => scriptName(relative(root, join(root, dirname(from), specifier)).split(sep).join('/'));
for (const file of [...startChunks, binFile]) {
  const made = toCodeCachedScript(join(root, file), metaOutputs[file].imports.filter((i) => i.kind === 'dynamic-import').length);
  scripts[scriptName(file)] = made.imports.map((specifier) => {
    const imported = importedName(file, specifier);
    if (!startChunks.some((c) => scriptName(c) === imported)) throw new Error(`${file} imports ${specifier}, which is not code-cached: the launcher could not load it`);
    return imported;
  });
  console.log(`bundle/: ${made.name} code-cached (${made.imports.length} imports, ${made.exports.length} exports, ${made.calls} import() calls)`);
}
// The bin's lazy imports that only re-export code-cached chunks (cli-app): the launcher loads those too.
const wrappers = {};
for (const { path, kind, external } of metaOutputs[binFile].imports) {
  if (kind !== 'dynamic-import' || external) continue;
  const made = reexports(join(root, path));
  if (made === undefined) continue;
  const imports = made.imports.map((specifier) => importedName(path, specifier));
  if (imports.every((i) => i in scripts)) wrappers[scriptName(path)] = { imports, exports: made.exports };
}
writeLauncher(join(root, binFile), scriptName(binFile), scripts, wrappers);
console.log(`bundle/: ${pkg.bin.tiercel} launches ${scriptName(binFile)} (${Object.keys(wrappers).length} lazy entry points as scripts)`);
const serving = spawnSync(
  process.execPath,
  ['--import', join(root, 'scripts', 'write-code-cache.mjs'), join(root, pkg.bin.tiercel), 'serve', '--urls', 'http://127.0.0.1:0', '--workers', '1', '--log-level', 'warn'],
  { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, CODE_CACHE_ROOT: join(root, OUT) } },
);
const cached = /code cache: .*/.exec(serving.stdout ?? '');
if (serving.status === 0 && cached !== null) console.log(`bundle/: ${cached[0]}`);
else console.warn(`bundle/: no code cache written (tiercel serve exited ${serving.status ?? serving.signal}): ${serving.stderr || serving.stdout}`);
