import diagnosticsChannel from 'node:diagnostics_channel';
import type { Duplex } from 'node:stream';
import type { ConnectionContext } from '../../connection/index.js';
import type { HttpApplication, HttpExchange } from './http-exchange.js';

/**
 * The request events tiercel publishes on `node:diagnostics_channel`, for every HTTP version
 * (the HTTP terminal wraps the app once per endpoint, see `observeApplication`):
 *
 * | channel | message | when |
 * |---|---|---|
 * | `tiercel:http.server.request.start` | `HttpRequestMessage` | the request's head is parsed, before the app runs |
 * | `tiercel:http.server.response.finish` | the same object | the app is done with the request (its response complete) |
 * | `tracing:tiercel.request:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error` | the same object | a TracingChannel around the app, as undici and fastify publish theirs |
 * | `tiercel:http.request.rejected` | `HttpRequestRejectedMessage` | a request refused before the app saw it (400-class parse error, 408) |
 *
 * The first two have the fields of node:http's `http.server.request.start` and
 * `http.server.response.finish` (`request`, `response`, `socket`), whose objects are tiercel's
 * exchange, not an `IncomingMessage`: they are published under tiercel's own names, because a
 * subscriber to node's names (an APM agent) would call node:http's methods on them.
 * `tracing:tiercel.request:start` runs the app inside the stores bound to it
 * (`channel.start.bindStore(als)`), so the app sees what a subscriber put there.
 */
export const HttpDiagnosticChannels = Object.freeze({
  requestStart: 'tiercel:http.server.request.start',
  responseFinish: 'tiercel:http.server.response.finish',
  requestRejected: 'tiercel:http.request.rejected',
  /** The TracingChannel's name: its channels are `tracing:tiercel.request:start` and so on. */
  requestTracing: 'tiercel.request',
} as const);

/** One request, from `request.start` to `response.finish` (one object for every event). */
export interface HttpRequestMessage {
  /** The exchange (node:http's field names; the object is tiercel's `HttpExchange`). */
  readonly request: HttpExchange;
  /** The same exchange: its `statusCode`, `headersSent`, `responseEnded`. */
  readonly response: HttpExchange;
  /** The connection's transport (the decrypted stream under TLS). */
  readonly socket: Duplex;
  readonly connection: ConnectionContext;
  /** `performance.now()` when the app was called. */
  readonly startTime: number;
  /** What the app threw or rejected with (the protocol answers 500 if nothing was sent). */
  error?: unknown;
  /** Set by the TracingChannel's contract for a handler's return value; unused. */
  result?: unknown;
}

export interface HttpRequestRejectedMessage {
  readonly connection: ConnectionContext;
  /** The rejection's reason: a `RequestRejectionReason` ('invalid-header-name'…), or the error's code. */
  readonly reason: string;
  /** The status answered. */
  readonly status: number;
}

export const requestStartChannel = diagnosticsChannel.channel(HttpDiagnosticChannels.requestStart);
export const responseFinishChannel = diagnosticsChannel.channel(HttpDiagnosticChannels.responseFinish);
export const requestRejectedChannel = diagnosticsChannel.channel(HttpDiagnosticChannels.requestRejected);
export const requestTracingChannel = diagnosticsChannel.tracingChannel<HttpRequestMessage>(HttpDiagnosticChannels.requestTracing);

/** Publishes a refused request, if anyone listens. */
export function publishRequestRejected(connection: ConnectionContext, reason: string, status: number): void {
  if (requestRejectedChannel.hasSubscribers) requestRejectedChannel.publish({ connection, reason, status } satisfies HttpRequestRejectedMessage);
}

function isPromise(value: unknown): value is Promise<void> {
  return value !== undefined && value !== null && typeof (value as Promise<void>).then === 'function';
}

// The TracingChannel's five channels, read once: `tracing.start` is a getter on some Node versions,
// and the hot path asks each of them.
const tracing = {
  start: requestTracingChannel.start,
  end: requestTracingChannel.end,
  asyncStart: requestTracingChannel.asyncStart,
  asyncEnd: requestTracingChannel.asyncEnd,
  error: requestTracingChannel.error,
};

function observed(): boolean {
  return (
    requestStartChannel.hasSubscribers ||
    responseFinishChannel.hasSubscribers ||
    tracing.start.hasSubscribers ||
    tracing.end.hasSubscribers ||
    tracing.asyncStart.hasSubscribers ||
    tracing.asyncEnd.hasSubscribers ||
    tracing.error.hasSubscribers
  );
}

/**
 * The app, publishing the request events above. While nobody listens, a request costs a few
 * property reads and no allocation; the message is made only for an observed request.
 */
export function observeApplication(app: HttpApplication): HttpApplication {
  // An arrow, so that a protocol may call `handle` detached, as it may the pipeline's.
  return { handle: (exchange: HttpExchange) => (observed() ? handleObserved(app, exchange) : app.handle(exchange)) };
}

function handleObserved(app: HttpApplication, exchange: HttpExchange): void | Promise<void> {
  const connection = exchange.connection;
  const message: HttpRequestMessage = { request: exchange, response: exchange, socket: connection.transport, connection, startTime: performance.now() };
  if (requestStartChannel.hasSubscribers) requestStartChannel.publish(message);
  let result: void | Promise<void>;
  try {
    result = tracing.start.hasSubscribers ? tracing.start.runStores(message, () => app.handle(exchange)) : app.handle(exchange);
  } catch (err) {
    failed(message, err);
    tracing.end.publish(message);
    finished(message);
    throw err;
  }
  tracing.end.publish(message);
  if (!isPromise(result)) {
    finished(message);
    return result;
  }
  return result.then(
    () => {
      tracing.asyncStart.publish(message);
      tracing.asyncEnd.publish(message);
      finished(message);
    },
    (err: unknown) => {
      failed(message, err);
      tracing.asyncStart.publish(message);
      tracing.asyncEnd.publish(message);
      finished(message);
      throw err;
    },
  );
}

function failed(message: HttpRequestMessage, err: unknown): void {
  message.error = err;
  tracing.error.publish(message);
}

function finished(message: HttpRequestMessage): void {
  if (responseFinishChannel.hasSubscribers) responseFinishChannel.publish(message);
}

/** `'1.1'` for 'HTTP/1.1', `'2'` for 'HTTP/2': the protocol name without its 'HTTP/' prefix. */
export function protocolVersionOf(protocol: string): string {
  return protocol.startsWith('HTTP/') ? protocol.slice(5) : protocol;
}
