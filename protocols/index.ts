/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// protocols/: the protocol adapters that turn a connection's bytes into requests.
export * from './http/index.js';
export * from './http1/index.js';
export * from './http2/index.js';
export * from './http-adapters.js';
export * from './http-connection.js';
export { sniffProtocol, MAX_SNIFF_BYTES, type SniffResult } from './protocol-sniff.js';
export * from './tls/index.js';
export * from './proxy/index.js';
export * from './logging/index.js';
export * from './websocket/index.js';
