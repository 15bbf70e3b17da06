import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Tsyringe from 'tsyringe';
import { requireCodeCached } from './code-cached-commonjs.js';
import { installedMain } from './installed-main.js';
import { samePackageFiles, type PackageFiles } from './package-files.js';

/*
 * tsyringe and reflect-metadata are CommonJS packages, loaded here with require() rather than
 * `import`, because importing CommonJS from an ES module makes Node parse each file with
 * cjs-module-lexer to find its named exports, following every `__exportStar(require(...))` of
 * tsyringe's index into ~40 more files, all through the asynchronous ESM loader; require() only
 * compiles and runs them. Measured with bench/startup.mjs: ~85 ms of CPU less per process start.
 * It is the same module either way: an app's `import 'tsyringe'` gets this instance from
 * require's cache, so the app and tiercel share one container registry.
 *
 * tsyringe itself (34 files, ~25 ms of CPU even by require(); one file from the bundle, see
 * requireShipped) loads with the first container
 * (`loadTsyringe()`: createServerContainer, addTiercel, resolve, an ApplicationBuilder's services),
 * not at import: `import 'tiercel/hosting'` must not pay for it (issue 11). The decorators below
 * are tsyringe's, deferred: applied at once when tsyringe is loaded (by tiercel or by the app),
 * else queued and applied, in the order they ran, when it loads. A class decorated through them
 * is therefore known to tsyringe before any tiercel container can resolve it.
 *
 * Internal (not in connection/index.ts): every layer's tsyringe comes from here.
 */
const require = createRequire(import.meta.url);
// Eager, and first: tsc's `__metadata("design:paramtypes", …)` records constructor parameter
// types only if Reflect.metadata exists when the class is defined. One file, ~5 ms of CPU (~2.5
// from the shipped copy, see requireShipped).
requireShipped('reflect-metadata');

let loaded: typeof Tsyringe | undefined;
let pending: Array<(t: typeof Tsyringe) => void> = [];
let tsyringePath: string | undefined;

/** tsyringe, loaded now if it was not; the decorators queued until then are applied first. */
export function loadTsyringe(): typeof Tsyringe {
  if (loaded !== undefined) return loaded;
  loaded = requireShipped<typeof Tsyringe>('tsyringe');
  const queued = pending;
  pending = [];
  for (const apply of queued) apply(loaded);
  return loaded;
}

/**
 * An installed CommonJS package (tsyringe, reflect-metadata), from the one-file copy of that very
 * version the package ships when there is one: bundle/vendor/<name>-<version>.cjs, the package's
 * own build bundled (tsyringe's 34 files with tslib) and whitespace-minified by scripts/bundle.mjs.
 * At start that is ~20 ms of CPU less for tsyringe (resolving and reading its files) and ~3 ms for
 * reflect-metadata (compiling its comments). The copy is put in require's cache under the
 * installed package's main, so it stays the process's only copy: the app's later `require()` or
 * `import` of the package gets it. Not taken when require's cache holds the package already (the
 * app loaded it, or an ES import of it is being linked), for another version, when the installed
 * files are not those the copy was made from (a patched install: the copy's .json lists the files
 * and their sizes), or from dist/ (no vendor folder): require() loads the installed files.
 */
function requireShipped<T>(name: string): T {
  const main = installedMain(require, name);
  if (require.cache[main] === undefined) {
    const shipped = shippedCopy(name, main);
    if (shipped !== undefined) return shipped as T;
  }
  return require(name) as T;
}

/** The shipped copy of the package `name` installed at `main`, registered as it; undefined without one. */
function shippedCopy(name: string, main: string): unknown {
  // The package's folder: main's path up to node_modules/<name>/ (npm, pnpm); a link elsewhere has none.
  const folder = `${sep}node_modules${sep}${name}${sep}`;
  const at = main.lastIndexOf(folder);
  if (at < 0) return undefined;
  let version: unknown;
  try {
    const pkg = JSON.parse(readFileSync(main.slice(0, at + folder.length) + 'package.json', 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name !== name) return undefined;
    version = pkg.version;
  } catch {
    return undefined;
  }
  // A version names a file here: nothing that could leave the folder.
  if (typeof version !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(version)) return undefined;
  let made: { files?: PackageFiles };
  try {
    made = JSON.parse(readFileSync(new URL(`../vendor/${name}-${version}.json`, import.meta.url), 'utf8')) as typeof made;
  } catch {
    return undefined;
  }
  if (typeof made.files !== 'object' || made.files === null || !samePackageFiles(main.slice(0, at + folder.length), made.files)) return undefined;
  const exports = requireCodeCached(fileURLToPath(new URL(`../vendor/${name}-${version}.cjs`, import.meta.url)));
  const entry = new Module(main);
  entry.filename = main;
  entry.exports = exports;
  entry.loaded = true;
  require.cache[main] = entry;
  return exports;
}

/** Applies a decorator now if tsyringe is loaded (the app may have loaded it: no cost), else when it loads. */
function whenLoaded(apply: (t: typeof Tsyringe) => void): void {
  if (loaded === undefined && require.cache[(tsyringePath ??= installedMain(require, 'tsyringe'))] !== undefined) loadTsyringe();
  if (loaded !== undefined) apply(loaded);
  else pending.push(apply);
}

/** A decorator factory of tsyringe's (class or parameter), untyped here: each export below takes its exact type. */
type DecoratorFactory = (...args: unknown[]) => (...target: unknown[]) => void;

/** tsyringe's decorator factory `pick(t)`, whose decorators are applied when tsyringe is loaded. */
function deferred(pick: (t: typeof Tsyringe) => unknown): DecoratorFactory {
  return (...args) =>
    (...target) =>
      whenLoaded((t) => (pick(t) as DecoratorFactory)(...args)(...target));
}

export const injectable = deferred((t) => t.injectable) as unknown as typeof Tsyringe.injectable;
export const singleton = deferred((t) => t.singleton) as unknown as typeof Tsyringe.singleton;
export const scoped = deferred((t) => t.scoped) as unknown as typeof Tsyringe.scoped;
export const inject = deferred((t) => t.inject) as unknown as typeof Tsyringe.inject;
export const injectAll = deferred((t) => t.injectAll) as unknown as typeof Tsyringe.injectAll;

/** tsyringe's `instanceCachingFactory`; only ever called to register, so tsyringe loads with it. */
export const instanceCachingFactory: typeof Tsyringe.instanceCachingFactory = (factory) => loadTsyringe().instanceCachingFactory(factory);

/**
 * tsyringe's `Lifecycle` enum, by value: an enum is an object that must exist at import, before
 * tsyringe loads. test/di/lazy-tsyringe.test.ts checks it equals tsyringe's, key for key.
 */
export const Lifecycle = Object.freeze({
  Transient: 0,
  Singleton: 1,
  ResolutionScoped: 2,
  ContainerScoped: 3,
  0: 'Transient',
  1: 'Singleton',
  2: 'ResolutionScoped',
  3: 'ContainerScoped',
}) as unknown as typeof Tsyringe.Lifecycle;
// The enum's type too, as `import { Lifecycle } from 'tsyringe'` gives both.
export type Lifecycle = Tsyringe.Lifecycle;

export type { DependencyContainer, InjectionToken } from 'tsyringe';
