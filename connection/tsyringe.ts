import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Tsyringe from 'tsyringe';

/*
 * tsyringe and reflect-metadata are CommonJS packages, loaded here with require() rather than
 * `import`, because importing CommonJS from an ES module makes Node parse each file with
 * cjs-module-lexer to find its named exports, following every `__exportStar(require(...))` of
 * tsyringe's index into ~40 more files, all through the asynchronous ESM loader; require() only
 * compiles and runs them. Measured with bench/startup.mjs: ~85 ms of CPU less per process start.
 * It is the same module either way: an app's `import 'tsyringe'` gets this instance from
 * require's cache, so the app and tiercel share one container registry.
 *
 * tsyringe itself (41 files, ~25 ms of CPU even by require(); one file from the bundle, see
 * requireTsyringe) loads with the first container
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
// types only if Reflect.metadata exists when the class is defined. One file, ~7 ms of CPU.
require('reflect-metadata');

let loaded: typeof Tsyringe | undefined;
let pending: Array<(t: typeof Tsyringe) => void> = [];
let tsyringePath: string | undefined;

/** tsyringe, loaded now if it was not; the decorators queued until then are applied first. */
export function loadTsyringe(): typeof Tsyringe {
  if (loaded !== undefined) return loaded;
  loaded = requireTsyringe();
  const queued = pending;
  pending = [];
  for (const apply of queued) apply(loaded);
  return loaded;
}

/**
 * The installed tsyringe, from the one-file copy of that very version the package ships when there
 * is one (bundle/vendor/tsyringe-<version>.cjs: tsyringe's own CommonJS build, bundled by
 * scripts/bundle.mjs; ~15 ms of CPU less at start than resolving and reading its 42 files). The
 * copy is put in require's cache under the installed tsyringe's path, so it stays the process's
 * only tsyringe: the app's later `require('tsyringe')` or `import 'tsyringe'` gets it. Not taken
 * when require's cache holds tsyringe already (the app loaded it, or an ES import of it is being
 * linked), for another version, or from dist/ (no vendor folder): require() loads the installed files.
 */
function requireTsyringe(): typeof Tsyringe {
  const path = (tsyringePath ??= require.resolve('tsyringe'));
  if (require.cache[path] === undefined) {
    const bundled = bundledCopy(path);
    if (bundled !== undefined) return bundled;
  }
  return require('tsyringe') as typeof Tsyringe;
}

/** The shipped copy of the tsyringe installed at `main` (its dist/cjs/index.js), registered as it; undefined without one. */
function bundledCopy(main: string): typeof Tsyringe | undefined {
  let version: unknown;
  try {
    const pkg = JSON.parse(readFileSync(join(main, '../../../package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name !== 'tsyringe') return undefined;
    version = pkg.version;
  } catch {
    return undefined;
  }
  // A version names a file here: nothing that could leave the folder.
  if (typeof version !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(version)) return undefined;
  let exports: typeof Tsyringe;
  try {
    exports = require(`../vendor/tsyringe-${version}.cjs`) as typeof Tsyringe;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  const entry = new Module(main);
  entry.filename = main;
  entry.exports = exports;
  entry.loaded = true;
  require.cache[main] = entry;
  return exports;
}

/** Applies a decorator now if tsyringe is loaded (the app may have loaded it: no cost), else when it loads. */
function whenLoaded(apply: (t: typeof Tsyringe) => void): void {
  if (loaded === undefined && require.cache[(tsyringePath ??= require.resolve('tsyringe'))] !== undefined) loadTsyringe();
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
