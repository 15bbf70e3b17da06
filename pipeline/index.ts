/// <reference types="node" preserve="true" />
// preserve="true" keeps this in the published .d.ts: they use Node's types (Buffer, node:stream), which
// TypeScript 6+ no longer loads by default; @types/node reaches consumers through @types/ws.
// pipeline/: the request pipeline apps are written against (ASP.NET Core's HttpContext and
// IApplicationBuilder). Imports protocols/http (the exchange contract) and connection only.
export {
  ApplicationBuilder,
  type ApplicationBuilderOptions,
  type Middleware,
  type Next,
  type RequestHandler,
  type RequestPredicate,
} from './application-builder.js';
export { HttpContext, ConnectionInfo, type CompletedCallback, type RouteMatch } from './http-context.js';
export { HttpRequest } from './http-request.js';
export { HttpResponse, type ResponseChunk } from './http-response.js';
export { HttpError, type HttpErrorOptions } from './http-error.js';
export {
  BodyAlreadyReadError,
  RequestBodyTooLargeError,
  ResponseEndedError,
  InvalidStatusCodeError,
  InvalidBodyError,
  PipelineConfigError,
} from './errors.js';
export { decodePath, matchesPrefix } from './path.js';
export { WebSocketManager, type WebSocketAcceptOptions } from './web-sockets.js';
export { WebSocketHost } from './web-socket-host.js';
export {
  DEFAULT_WEB_SOCKET_OPTIONS,
  DEFAULT_WEB_SOCKET_DEFLATE_OPTIONS,
  WEB_SOCKET_PEER_LIMITS,
  WEB_SOCKET_OPTIONS,
  resolveWebSocketOptions,
  type WebSocketOptions,
  type WebSocketDeflateOptions,
  type ResolvedWebSocketOptions,
} from './web-socket-options.js';
export {
  WebSocketHandshakeError,
  WebSocketSubprotocolError,
  WebSocketAcceptError,
  WebSocketBufferFullError,
  type WebSocketRejectionReason,
} from './web-socket-errors.js';
