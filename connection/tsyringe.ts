import { createRequire } from 'node:module';

/*
 * tsyringe and reflect-metadata are CommonJS packages, loaded here with require() rather than
 * `import`, because importing CommonJS from an ES module makes Node parse each file with
 * cjs-module-lexer to find its named exports, following every `__exportStar(require(...))` of
 * tsyringe's index into ~40 more files, all through the asynchronous ESM loader; require() only
 * compiles and runs them. Measured with bench/startup.mjs: ~85 ms of CPU less per process start.
 * It is the same module either way: an app's `import 'tsyringe'` gets this instance from
 * require's cache, so the app and tiercel share one container registry.
 *
 * Internal (not in connection/index.ts): every layer's tsyringe comes from here.
 */
const require = createRequire(import.meta.url);
// The polyfill first: tsyringe refuses to load without it, and the decorators below record
// constructor parameter types through it.
require('reflect-metadata');
const tsyringe = require('tsyringe') as typeof import('tsyringe');

export const { container, inject, injectable, injectAll, singleton, scoped, Lifecycle, instanceCachingFactory } = tsyringe;
export type { DependencyContainer, InjectionToken } from 'tsyringe';
// The enum's type too, as `import { Lifecycle } from 'tsyringe'` gives both.
export type Lifecycle = import('tsyringe').Lifecycle;
