// The package (bundle/) loads tsyringe and reflect-metadata from the one-file copies it ships of the
// installed versions (bundle/vendor/), registered in require's cache as the installed packages:
// still one copy of each per process, whichever of the app and tiercel loads it first. Each case runs in a fresh process, on
// the bundle, as an app that installed the package would (the tests otherwise run dist/).
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// From dist/test/di/, the package's root is three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs `body` (an ES module's code: `require` is the app's, from the package's root) after
 * `tsyringeFiles()` and `oneRegistry(t, services)` are defined; prints what `body` returns.
 */
function runApp(body: string, cwd = ROOT): Promise<Record<string, unknown>> {
  const script = `
    import { createRequire } from 'node:module';
    import { sep } from 'node:path';
    const require = createRequire(process.cwd() + sep);
    // tsyringe's files in require's cache, relative to its package folder.
    const vendorFiles = () => Object.keys(require.cache).filter((f) => f.includes(sep + 'bundle' + sep + 'vendor' + sep)).map((f) => f.slice(f.lastIndexOf(sep) + 1).replace(/-[^-]+$/, ''));
    const tsyringeFiles = () =>
      Object.keys(require.cache).filter((f) => f.includes(sep + 'node_modules' + sep + 'tsyringe' + sep)).map((f) => f.slice(f.lastIndexOf(sep + 'tsyringe' + sep) + 10).split(sep).join('/'));
    // A class decorated with the app's tsyringe (no metadata: the parameter's token by @inject),
    // resolved by tiercel's container: only one registry of tsyringe knows both.
    const oneRegistry = (t, services) => {
      class Greeter { constructor(name) { this.name = name; } }
      t.inject('app.Name')(Greeter, undefined, 0);
      t.injectable()(Greeter);
      const child = services.createChildContainer();
      child.register('app.Name', { useValue: 'app' });
      return child.resolve(Greeter).name === 'app';
    };
    const result = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(result) + '\\n');`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd, timeout: 8_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

test("tiercel loads them first: one file each, registered as the installed packages; the app's require and import get them", async () => {
  const seen = await runApp(`
    const { Server } = await import('tiercel/hosting');
    const before = tsyringeFiles();
    const atImport = vendorFiles();
    const server = new Server({ logLevel: 'silent' });
    const loaded = tsyringeFiles();
    const t = require('tsyringe');
    const esm = await import('tsyringe');
    const reflect = require.cache[require.resolve('reflect-metadata')];
    return {
      before,
      atImport,
      vendor: vendorFiles(),
      loaded,
      reflectShipped: reflect.exports === require('reflect-metadata') && reflect.exports === Object.values(require.cache).find((m) => m.filename.endsWith('.cjs') && m.filename.includes('reflect-metadata-')).exports,
      sameForImport: esm.container === t.container && esm.injectable === t.injectable,
      oneRegistry: oneRegistry(t, server.services),
      esmRegistry: oneRegistry(esm, server.services),
    };`);
  assert.equal(seen.before, [], 'no tsyringe before the first container');
  assert.equal(seen.atImport, ['reflect-metadata'], 'reflect-metadata at import, from its shipped copy');
  assert.equal(seen.vendor, ['reflect-metadata', 'tsyringe']);
  assert.is(seen.reflectShipped, true, "the app's require('reflect-metadata') gets the shipped copy, registered as the installed one");
  // Without the shipped copy, require() reads the installed package's 41 files and tslib.
  assert.equal(seen.loaded, ['dist/cjs/index.js'], 'one entry: the shipped copy under the installed main');
  assert.is(seen.sameForImport, true, "the app's import 'tsyringe' is its require('tsyringe')");
  assert.is(seen.oneRegistry, true, "a class the app's require('tsyringe') decorated resolves from tiercel's container");
  assert.is(seen.esmRegistry, true, "a class the app's import 'tsyringe' decorated resolves from tiercel's container");
});

test('the app loads reflect-metadata and tsyringe first: tiercel uses those, the installed files', async () => {
  const seen = await runApp(`
    require('reflect-metadata');
    const t = require('tsyringe');
    const { Server } = await import('tiercel/hosting');
    const server = new Server({ logLevel: 'silent' });
    return { files: tsyringeFiles().length, vendor: vendorFiles(), oneRegistry: oneRegistry(t, server.services) };`);
  assert.ok((seen.files as number) > 30, `the installed package's files (${String(seen.files)})`);
  assert.equal(seen.vendor, [], 'no shipped copy of what the app had loaded');
  assert.is(seen.oneRegistry, true);
});

/**
 * An app folder with tiercel installed (its package.json and bundle/, copied: a link would resolve
 * tsyringe from this repository), a copy of the installed tsyringe that `patch` may change, and
 * reflect-metadata and tslib linked.
 */
function appWithTsyringe(patch: (tsyringeFolder: string) => void): string {
  const app = mkdtempSync(join(tmpdir(), 'tiercel-patched-'));
  const modules = join(app, 'node_modules');
  mkdirSync(join(modules, 'tiercel'), { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
  cpSync(join(ROOT, 'package.json'), join(modules, 'tiercel', 'package.json'));
  cpSync(join(ROOT, 'bundle'), join(modules, 'tiercel', 'bundle'), { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'tsyringe'), join(modules, 'tsyringe'), { recursive: true });
  for (const name of ['reflect-metadata', 'tslib']) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  patch(join(modules, 'tsyringe'));
  return app;
}

const LOAD = `
    const { Server } = await import('tiercel/hosting');
    const server = new Server({ logLevel: 'silent' });
    return { files: tsyringeFiles(), vendor: vendorFiles(), oneRegistry: oneRegistry(require('tsyringe'), server.services) };`;

test('a patched install of the same version (its files changed, its version not) is loaded as installed, not replaced by the shipped copy', async () => {
  const patched = appWithTsyringe((folder) => appendFileSync(join(folder, 'dist', 'cjs', 'dependency-container.js'), '\n// patched here\n'));
  const untouched = appWithTsyringe(() => {});
  try {
    const [p, u] = await Promise.all([runApp(LOAD, patched), runApp(LOAD, untouched)]);
    assert.ok((p.files as string[]).length > 30, `the patched install's own files (${String(p.files)})`);
    assert.ok((p.files as string[]).includes('dist/cjs/dependency-container.js'));
    assert.equal(p.vendor, ['reflect-metadata'], 'no shipped tsyringe for a patched install; reflect-metadata is untouched');
    assert.is(p.oneRegistry, true);
    // The same folder without the patch takes the shipped copy: the fingerprint, not the folder, decided.
    assert.equal(u.files, ['dist/cjs/index.js']);
    assert.equal(u.vendor, ['reflect-metadata', 'tsyringe']);
    assert.is(u.oneRegistry, true);
  } finally {
    rmSync(patched, { recursive: true, force: true });
    rmSync(untouched, { recursive: true, force: true });
  }
});

test.run();
