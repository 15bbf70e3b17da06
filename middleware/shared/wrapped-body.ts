import type { HttpExchange, HttpResponseBodyFeature } from '../../protocols/http/index.js';
import type { Next } from '../../pipeline/index.js';

/** A response body a middleware sets in front of the one it replaces (`ctx.response.bodyFeature`). */
export interface WrappedBody extends HttpResponseBodyFeature {
  /** The app is done: end what it left open; resolves once the replaced body has all of it. */
  finish(): void | Promise<void>;
  /** The app failed: drop what is held (the pipeline answers on the exchange itself). */
  fail(): void;
}

/**
 * `complete()` for a wrapped body: end it if it is open, abort the exchange when it cannot be
 * ended (the client must not take a short body for a whole one). Never throws.
 */
export function completeWrapped(body: HttpResponseBodyFeature, exchange: HttpExchange): void {
  if (body.responseEnded) return;
  try {
    body.end();
  } catch (err) {
    exchange.abort(err);
  }
}

function isPromise(value: unknown): value is Promise<void> {
  return typeof (value as Promise<void> | undefined)?.then === 'function';
}

/**
 * Runs the rest of the pipeline with `body` in front, and finishes it before settling (the
 * protocol completes the exchange, not the wrapper) or fails it when the app throws. Stays
 * synchronous for a synchronous app.
 */
export function runWrapped(next: Next, body: WrappedBody): void | Promise<void> {
  let result: void | Promise<void>;
  try {
    result = next();
  } catch (err) {
    body.fail();
    throw err;
  }
  if (isPromise(result)) {
    return result.then(
      () => body.finish(),
      (err: unknown) => {
        body.fail();
        throw err;
      },
    );
  }
  return body.finish();
}
