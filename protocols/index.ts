// protocols/: the protocol adapters that turn a connection's bytes into requests.
export * from './http/index.js';
export * from './http1/index.js';
export * from './http2/index.js';
export * from './http-connection.js';
export * from './tls/index.js';
