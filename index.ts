/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// tiercel's public face: every layer's own index, re-exported. Import a layer directly
// ('tiercel/hosting', 'tiercel/transports', …) to load only what you use.
import './connection/tsyringe.js';
export * from './connection/index.js';
export * from './transports/index.js';
export * from './protocols/index.js';
export * from './pipeline/index.js';
export * from './middleware/index.js';
export * from './di/index.js';
export * from './hosting/index.js';
