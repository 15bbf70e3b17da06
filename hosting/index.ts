// hosting/: the server that ties transports, connection pipelines and protocols together.
export * from './server.js';
export * from './endpoint-builder.js';
export * from './connection-handler.js';
export * from './test-server.js';
export * from './test-client.js';
export * from './test-errors.js';
