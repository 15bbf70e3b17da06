// connection/: the contracts every layer shares. No node:net here; transports implement these.
export * from './errors.js';
export * from './endpoint.js';
export * from './features.js';
export * from './connection-context.js';
export * from './connection-builder.js';
export * from './transport.js';
export * from './logger.js';
export * from './tokens.js';
export * from './clock.js';
export { nextConnectionId } from './connection-id.js';
