/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// transports/: where connections come from. Each transport implements connection/'s Transport
// and ConnectionListener; nothing here knows about protocols, the pipeline or hosting.
export * from './tcp/index.js';
export * from './pipe/index.js';
export * from './memory/index.js';
export * from './fd/index.js';
export { AcceptQueue } from './accept-queue.js';
