export * from './server.js';
export * from './endpoint-builder.js';
export * from './connection-handler.js';
export * from './test-server.js';
