import { TiercelError } from '../../connection/index.js';
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
 * What a wrapped body shares: the exchange, the body it replaces, and once ended, ended. The
 * bytes on the wire are the replaced body's count (compressed, or none while a body is held).
 */
export abstract class WrappingBody implements WrappedBody {
  protected readonly exchange: HttpExchange;
  protected readonly inner: HttpResponseBodyFeature;
  protected ended = false;

  constructor(exchange: HttpExchange, inner: HttpResponseBodyFeature) {
    this.exchange = exchange;
    this.inner = inner;
  }

  get responseEnded(): boolean {
    return this.ended || this.inner.responseEnded;
  }

  get bytesSent(): number {
    return this.inner.bytesSent;
  }

  complete(): void {
    completeWrapped(this, this.exchange);
  }

  /** Throws as the protocol's own body does on a write after the end. */
  protected assertOpen(): void {
    if (this.ended) throw new TiercelError('ERR_TIERCEL_RESPONSE_ENDED', 'write() after the response ended');
  }

  abstract write(chunk: Buffer | string): boolean;
  abstract drain(): Promise<void>;
  abstract end(chunk?: Buffer | string): void;
  abstract finish(): void | Promise<void>;
  abstract fail(): void;
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
