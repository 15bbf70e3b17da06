/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// di/: the composition root and the tokens components are wired by.
export * from './tokens.js';
export * from './server-options.js';
export * from './container.js';
