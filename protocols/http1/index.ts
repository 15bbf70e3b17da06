// protocols/http1/: tiercel's own strict HTTP/1.1 parser and connection driver.
export * from './http1-parser.js';
export * from './rejection.js';
export * from './request-head.js';
export { Http1Connection } from './http1-connection.js';
export { Http1OutputProducer } from './http1-output-producer.js';
export * from './keep-alive-reason.js';
export { Http1Exchange, ContentLengthMismatchError } from './http1-exchange.js';
export * from './http1-delegate.js';
