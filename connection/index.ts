/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// connection/: the contracts every layer shares. No node:net here; transports implement these.
export * from './errors.js';
export * from './endpoint.js';
export * from './features.js';
export * from './connection-context.js';
export * from './connection-builder.js';
export * from './transport.js';
export * from './read-ahead.js';
export * from './transport-reader.js';
export * from './logger.js';
export * from './log-events.js';
export * from './tokens.js';
export * from './clock.js';
export { nextConnectionId } from './connection-id.js';
export * from './diagnostics.js';
export * from './connection-end-reason.js';
