// tiercel's public face: every layer's own index, re-exported. Import a layer directly
// ('tiercel/hosting', 'tiercel/transports', …) to load only what you use.
import 'reflect-metadata';
export * from './connection/index.js';
export * from './transports/index.js';
export * from './protocols/index.js';
export * from './pipeline/index.js';
export * from './di/index.js';
export * from './hosting/index.js';
