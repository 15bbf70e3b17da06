import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { RequestTimeoutError } from './timeout-errors.js';
import { resolveRequestTimeoutOptions, type RequestTimeoutOptions } from './timeout-options.js';

/**
 * A request timeout (ASP.NET Core's RequestTimeouts): past `timeoutMs`, `ctx.signal` aborts with
 * a RequestTimeoutError and, when nothing has been sent yet, the request is answered 503 at once
 * (the error goes up the pipeline, so problemDetails() formats it) without waiting for the
 * handler, which should stop on the signal. A response already started cannot change: the signal
 * still aborts, and the handler finishes (or not) as it would. Use it for a route:
 * `router.get('/report', requestTimeout({ timeoutMs: 5_000 }), handler)`, or for a branch with
 * `map()`; the signal follows the client too (it also aborts when the client goes away).
 */
export function requestTimeout(options: RequestTimeoutOptions): Middleware {
  const { timeoutMs, clock } = resolveRequestTimeoutOptions(options);
  return (ctx: HttpContext, next: Next) => {
    const controller = new AbortController();
    ctx.signal = AbortSignal.any([ctx.signal, controller.signal]);
    let downstream: void | Promise<void>;
    try {
      downstream = next();
    } catch (err) {
      return Promise.reject(err);
    }
    if (downstream === undefined) return undefined;
    return new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        const reason = new RequestTimeoutError(timeoutMs);
        if (ctx.response.headersSent) {
          controller.abort(reason);
          return;
        }
        reject(reason);
        // Answer first, then abort: the 503 is written as the rejection travels up the pipeline's
        // promise chain, all in microtasks, so a handler woken by the signal (in the next
        // macrotask) finds the response ended instead of racing it with its own.
        setImmediate(() => controller.abort(reason));
      }, timeoutMs);
      downstream.then(
        () => {
          clock.clearTimer(timer);
          resolve();
        },
        (err: unknown) => {
          clock.clearTimer(timer);
          // After a 503 this settles nothing (the promise is settled): a late failure is the
          // timeout's consequence, not news.
          reject(err);
        },
      );
    });
  };
}
