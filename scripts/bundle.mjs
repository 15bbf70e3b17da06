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
import { join } from 'node:path';
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
rmSync(join(root, OUT), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [...published, ...unexported].map(sourceOf),
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
});
if (result.errors.length > 0) process.exit(1);
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`bundle/: ${published.length + unexported.length} entry points, ${outputs.length} files`);
