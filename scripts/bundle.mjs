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
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'bundle';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** bundle/hosting/index.js ← dist/hosting/index.js: what each published path is built from. */
function sourceOf(published) {
  const rel = published.replace(/^\.\//, '');
  if (!rel.startsWith(`${OUT}/`)) throw new Error(`${published}: a published entry point must be under ${OUT}/`);
  return join('dist', rel.slice(OUT.length + 1));
}

const published = [...Object.values(pkg.exports).map((target) => target.default), ...Object.values(pkg.bin)];
// Not a package export: the demo app `tiercel serve` runs, as its own entry so that the benchmark's
// tiercel server (bench/servers/tiercel.mjs) runs the code users get, not tsc's unbundled dist/.
// Its code is the bin's, so this adds an entry file and moves the demo into a shared chunk.
const unexported = [`${OUT}/hosting/demo-app.js`];
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
// - the core: what 'tiercel/hosting' reaches. Every entry point reaches part of it, so
//   'tiercel/connection' alone now loads the whole core (as 'tiercel/hosting' does).
// - what `tiercel serve` loads after it (cli-app.js: the pipeline, the demo app, its metrics),
//   loaded by the entry points that reach any of it ('tiercel/pipeline', middleware, observability).
const GROUPS = ['dist/hosting/index.js', 'dist/hosting/cli-app.js'];
const entries = [...published, ...unexported].map(sourceOf);
// A first pass (nothing written) finds the lazy entry points and what each module reaches.
const probe = await build({ ...options, entryPoints: entries, write: false });
function closure(from) {
  const seen = new Set();
  for (const queue = [from]; queue.length > 0; ) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of probe.metafile.inputs[file].imports) if (i.kind === 'import-statement' && !i.external) queue.push(i.path);
  }
  return seen;
}
const groups = [];
for (const groupRoot of GROUPS) {
  const own = closure(groupRoot);
  for (const g of groups) for (const f of g.members) own.delete(f);
  groups.push({ root: groupRoot, members: own });
}
const lazy = Object.values(probe.metafile.outputs)
  .map((o) => o.entryPoint)
  .filter((e) => e !== undefined && !entries.includes(e));
/** The group roots `entry` imports first: those it reaches part of (a lazy entry point inside a group: none, no cycle). */
const rootsFor = (entry, wrapped) => {
  const reached = closure(entry);
  return groups
    .filter((g) => g.root !== entry && (wrapped || !g.members.has(entry)) && [...g.members].some((f) => reached.has(f)))
    .map((g) => join(root, g.root));
};
const lazyRoots = new Map(lazy.map((e) => [join(root, e), rootsFor(e, false)]));
// On one line: put before a lazy entry's first line, its source map's lines still match.
const imports = (roots) => roots.map((r) => `import ${JSON.stringify(r)};`).join('');
/** Public entry points through a wrapper (their own module may be in a group: no cycle), lazy ones directly. */
const fewChunks = {
  name: 'few-chunks',
  setup(b) {
    b.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path.slice('entry:'.length), namespace: 'entry' }));
    b.onLoad({ filter: /.*/, namespace: 'entry' }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      // The bin's hashbang must stay the first line of its file.
      const hashbang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1) : '';
      const roots = rootsFor(relative(root, args.path).split(sep).join('/'), true);
      return { contents: `${hashbang}${imports(roots)}\nexport * from ${JSON.stringify(args.path)};\n`, resolveDir: root, loader: 'js' };
    });
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const roots = lazyRoots.get(args.path);
      if (roots === undefined || roots.length === 0) return undefined;
      return { contents: imports(roots) + readFileSync(args.path, 'utf8'), resolveDir: dirname(args.path), loader: 'js' };
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
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`bundle/: ${published.length + unexported.length} entry points, ${outputs.length} files`);
