import type { Attributes, Span, TextMapGetter, TextMapPropagator, Tracer, TracerProvider } from '@opentelemetry/api';
import { InvalidOptionError } from '../connection/index.js';
import { protocolVersionOf, type RequestHeaders } from '../protocols/http/index.js';
import { HttpError, type HttpContext, type Middleware } from '../pipeline/index.js';
import { otelApi } from './otel-api.js';

export interface TracingOptions {
  /** Where the tracer comes from. Default: the global one (`trace.getTracerProvider()`), a no-op until the app registers an SDK. */
  readonly tracerProvider?: TracerProvider;
  /**
   * Reads the caller's trace context from the request headers. Default: the global propagator
   * (`propagation`), which the SDK sets to W3C Trace Context (`traceparent`, `tracestate`).
   */
  readonly propagator?: TextMapPropagator;
}

const KNOWN_OPTIONS = ['tracerProvider', 'propagator'];

// RequestHeaders as a propagation carrier: names are lower-case already.
const headerGetter: TextMapGetter<RequestHeaders> = {
  keys: (headers) => [...headers].map(([name]) => name),
  get: (headers, key) => headers.get(key),
};

function isPromise(value: unknown): value is Promise<void> {
  return value !== undefined && value !== null && typeof (value as Promise<void>).then === 'function';
}

/**
 * Request middleware that makes a server span per request through the OpenTelemetry API (put it
 * first, so the span covers everything after it). The caller's trace context is read from the
 * request (`traceparent`/`tracestate`), and the span's context is the active one while the rest
 * of the pipeline runs (OpenTelemetry's context manager: AsyncLocalStorage with the SDK's Node
 * setup), so outgoing calls the app makes (undici with its instrumentation, or a
 * `propagation.inject` of the app's own) join the trace.
 *
 * Middleware rather than a diagnostics_channel subscriber: only a function that wraps the
 * pipeline can make a context active for it (`context.with`); a subscriber can bind its own
 * AsyncLocalStorage, not the one OpenTelemetry's context manager keeps.
 */
export function tracing(options: TracingOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) throw new InvalidOptionError(key, `is not a tracing option (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  const { ROOT_CONTEXT, SpanKind, context, propagation, trace } = otelApi();
  let tracer: Tracer | undefined;
  // Resolved on the first request, so that an SDK registered after the app was built is used.
  const getTracer = (): Tracer => (tracer ??= (options.tracerProvider ?? trace.getTracerProvider()).getTracer('tiercel'));
  return (ctx, next) => {
    const request = ctx.request;
    const parent = options.propagator !== undefined ? options.propagator.extract(ROOT_CONTEXT, request.headers, headerGetter) : propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const span = getTracer().startSpan(request.method, { kind: SpanKind.SERVER, attributes: requestAttributes(ctx) }, parent);
    let result: void | Promise<void>;
    try {
      result = context.with(trace.setSpan(parent, span), next);
    } catch (err) {
      endSpan(span, ctx, err);
      throw err;
    }
    if (!isPromise(result)) {
      endSpan(span, ctx, undefined);
      return result;
    }
    return result.then(
      () => endSpan(span, ctx, undefined),
      (err: unknown) => {
        endSpan(span, ctx, err);
        throw err;
      },
    );
  };
}

function requestAttributes(ctx: HttpContext): Attributes {
  const request = ctx.request;
  const attributes: Attributes = {
    'http.request.method': request.method,
    'url.path': request.path,
    'url.scheme': request.scheme,
    'network.protocol.name': 'http',
    'network.protocol.version': protocolVersionOf(request.protocol),
  };
  const query = request.queryString;
  if (query !== '') attributes['url.query'] = query.startsWith('?') ? query.slice(1) : query;
  const host = request.host;
  if (host !== undefined) attributes['server.address'] = host;
  const agent = request.headers.get('user-agent');
  if (agent !== undefined) attributes['user_agent.original'] = agent;
  return attributes;
}

function endSpan(span: Span, ctx: HttpContext, err: unknown): void {
  // A thrown error becomes the pipeline's answer after this middleware: its status, or 500.
  const status = err === undefined ? ctx.exchange.statusCode : err instanceof HttpError ? err.status : 500;
  span.setAttribute('http.response.status_code', status);
  if (err !== undefined && status >= 500) {
    if (err instanceof Error) span.recordException(err);
    span.setAttribute('error.type', err instanceof Error ? err.constructor.name : '_OTHER');
    span.setStatus({ code: otelApi().SpanStatusCode.ERROR });
  } else if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: otelApi().SpanStatusCode.ERROR });
  }
  span.end();
}
