export * from './http1-parser.js';
export * from './rejection.js';
export * from './request-head.js';
export { Http1Connection } from './http1-connection.js';
export { Http1Exchange, ContentLengthMismatchError } from './http1-exchange.js';
export * from './http1-delegate.js';
