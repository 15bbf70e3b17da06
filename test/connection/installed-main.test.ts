// installedMain: where require(name) resolves, found without Node's resolver for plain packages. Every
// case is checked against require.resolve itself, on the repository's installed peers and on
// node_modules layouts written here.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installedMain } from '../../connection/installed-main.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'tiercel-installed-main-')));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A project at `root/<project>` with `files` (path → content) under it; a require from its src/. */
function project(name: string, files: Record<string, string | object>): NodeJS.Require {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  mkdirSync(join(dir, 'src'), { recursive: true });
  return createRequire(join(dir, 'src', 'app.js'));
}

const same = (require: NodeJS.Require, name: string): void => assert.is(installedMain(require, name), require.resolve(name), name);

test("the repository's reflect-metadata (an exports map) and tsyringe (a main): as require.resolve", () => {
  const require = createRequire(import.meta.url);
  same(require, 'reflect-metadata');
  same(require, 'tsyringe');
});

test('plain entries: exports as a string, "." as a string, conditions, a main, no main', () => {
  const require = project('plain', {
    'node_modules/a/package.json': { exports: './lib/a.js' },
    'node_modules/a/lib/a.js': '',
    'node_modules/b/package.json': { exports: { '.': './b.cjs', './extra': './extra.js' } },
    'node_modules/b/b.cjs': '',
    'node_modules/c/package.json': { exports: { '.': { types: './c.d.ts', import: './c.mjs', node: { require: './c-node.js', default: './x.js' }, default: './c.js' } } },
    'node_modules/c/c-node.js': '',
    'node_modules/d/package.json': { main: 'dist/d.js' },
    'node_modules/d/dist/d.js': '',
    'node_modules/e/package.json': { name: 'e' },
    'node_modules/e/index.js': '',
    'node_modules/@scope/f/package.json': { exports: { default: './f.js' } },
    'node_modules/@scope/f/f.js': '',
  });
  for (const name of ['a', 'b', 'c', 'd', 'e', '@scope/f']) same(require, name);
});

test('a package in a parent folder, and one reached through a symbolic link (the real path, as Node)', () => {
  const require = project('nested', { 'node_modules/up/package.json': { main: 'up.js' }, 'node_modules/up/up.js': '', 'src/node_modules/.keep': '' });
  same(require, 'up');
  const real = project('linked-real', { 'node_modules/target/package.json': { exports: './t.js' }, 'node_modules/target/t.js': '' });
  void real;
  const linking = project('linking', {});
  mkdirSync(join(root, 'linking', 'node_modules'), { recursive: true });
  symlinkSync(join(root, 'linked-real', 'node_modules', 'target'), join(root, 'linking', 'node_modules', 'target'), 'dir');
  same(linking, 'target');
  assert.is(installedMain(linking, 'target'), join(root, 'linked-real', 'node_modules', 'target', 't.js'));
});

test('the cases left to require.resolve give its answer or its error: patterns, unknown conditions, odd mains, no package', () => {
  const require = project('odd', {
    'node_modules/g/package.json': { exports: { '.': { 'module-sync': './g-sync.js', default: './g.js' } } },
    'node_modules/g/g.js': '',
    'node_modules/g/g-sync.js': '',
    'node_modules/h/package.json': { exports: { '.': ['./h.js'] } },
    'node_modules/h/h.js': '',
    'node_modules/i/package.json': { main: 'lib' },
    'node_modules/i/lib/index.js': '',
    'node_modules/k.js': '',
    'node_modules/l/package.json': '{ not json',
  });
  for (const name of ['g', 'h', 'i', 'k']) same(require, name);
  assert.throws(() => installedMain(require, 'l'), (err: unknown) => err instanceof Error && !(err as NodeJS.ErrnoException).code?.startsWith('ENO'));
  assert.throws(() => installedMain(require, 'absent'), (err: unknown) => (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND');
  const exportsNothing = project('closed', { 'node_modules/m/package.json': { exports: { './sub': './sub.js' } }, 'node_modules/m/sub.js': '' });
  assert.throws(() => installedMain(exportsNothing, 'm'), (err: unknown) => (err as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test.run();
