/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// di/: the composition root (`addTiercel`) and the tokens components are wired by.
import '../connection/tsyringe.js';
export * from './tokens.js';
export * from './server-options.js';
export * from './environment.js';
export * from './errors.js';
export * from './add-tiercel.js';
export * from './container.js';
export * from './transport-registration.js';
export { resolve, resolveAll } from './resolution.js';
export { DefaultLoggerFactory } from './logger-factory.js';
// The decorators and types of the one tsyringe tiercel uses, so an app never holds a second copy.
export { injectable, inject, injectAll, singleton, scoped, Lifecycle, instanceCachingFactory, type DependencyContainer } from '../connection/tsyringe.js';
