// protocols/http2/: HTTP/2 as thin glue over node:http2 (nghttp2), behind the same HttpExchange.
export { Http2Exchange } from './http2-exchange.js';
export {
  Http2Connection,
  Http2FloodError,
  Http2PingFloodError,
  Http2RapidResetError,
  Http2RejectedRequestsError,
  type Http2ConnectionOptions,
} from './http2-connection.js';
export { Http2Engine, nodeServerOptions } from './http2-engine.js';
export { readRequestHead, headersOf, type Http2RequestHead, type Http2HeadLimits } from './http2-request-head.js';
export * from './http2-delegate.js';
export * from './http2-preface.js';
