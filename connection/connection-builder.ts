import type { ConnectionContext } from './connection-context.js';
import { NextCalledTwiceError } from './errors.js';

/** The terminal handler of a connection: a protocol, or a user's handler. */
export type ConnectionDelegate = (ctx: ConnectionContext) => Promise<void>;

/** How a connection served without a promise reports the end of its pipeline (see `CompletingDelegate`). */
export interface ConnectionCompletion {
  /** The pipeline is done with the connection (where the delegate's promise would resolve). */
  complete(): void;
  /** The pipeline failed (where the delegate's promise would reject). */
  fail(err: unknown): void;
}

/**
 * A delegate that can also serve a connection without a promise: `serve(ctx, completion)` calls
 * `completion.complete()` or `fail(err)` once, where its promise would settle. A promise that
 * settles when the connection ends is kept, with what awaits it, for as long as the connection
 * is open (~450 bytes an idle connection, a promise and a reaction per layer): the server serves
 * through `serve` when an endpoint has no connection middleware. Called as a function it is an
 * ordinary `ConnectionDelegate`, which connection middleware awaits.
 */
export interface CompletingDelegate extends ConnectionDelegate {
  serve(ctx: ConnectionContext, completion: ConnectionCompletion): void;
}

/**
 * A `CompletingDelegate` from its `serve`: called as a function, it resolves (or rejects) when
 * `serve` completes (or fails).
 */
export function completingDelegate(serve: (ctx: ConnectionContext, completion: ConnectionCompletion) => void): CompletingDelegate {
  const delegate: ConnectionDelegate = (ctx) => new Promise((resolve, reject) => serve(ctx, { complete: resolve, fail: reject }));
  return Object.assign(delegate, { serve });
}

/**
 * Serves `ctx` with `delegate` and reports its end to `completion`: through `serve` when the
 * delegate has it, else when its promise settles. A synchronous throw is a failure.
 */
export function serveConnection(delegate: ConnectionDelegate, ctx: ConnectionContext, completion: ConnectionCompletion): void {
  const serve = (delegate as Partial<CompletingDelegate>).serve;
  try {
    if (serve !== undefined) {
      serve.call(delegate, ctx, completion);
      return;
    }
    reportWhenSettled(delegate(ctx), completion);
  } catch (err) {
    completion.fail(err);
  }
}

// Its own function: closures over `completion` in serveConnection made V8 allocate their context
// on every call, the promise branch taken or not (several calls per connection, ~35 bytes each).
function reportWhenSettled(result: Promise<void> | void, completion: ConnectionCompletion): void {
  // Promise.resolve: a user's terminal written in JavaScript may return nothing.
  Promise.resolve(result).then(
    () => completion.complete(),
    (err: unknown) => completion.fail(err),
  );
}

/**
 * Connection middleware: wraps the rest of the connection pipeline. It may inspect or replace
 * `ctx.transport`, set features, or decide not to call `next` (which ends the connection).
 */
export type ConnectionMiddleware = (ctx: ConnectionContext, next: () => Promise<void>) => Promise<void>;

const closeAtOnce: ConnectionDelegate = async () => {};

/**
 * Composes connection middleware into one delegate. Built once per endpoint; the composition
 * is not rebuilt per connection.
 */
export class ConnectionBuilder {
  readonly #middleware: ConnectionMiddleware[] = [];
  #terminal: ConnectionDelegate = closeAtOnce;

  use(middleware: ConnectionMiddleware): this {
    if (typeof middleware !== 'function') throw new TypeError('use() takes a function (ctx, next) => Promise<void>');
    this.#middleware.push(middleware);
    return this;
  }

  /**
   * Puts `middleware` before every other one: for what must see the raw bytes first (TLS that an
   * `https://` URL asks for).
   */
  protected prepend(middleware: ConnectionMiddleware): this {
    this.#middleware.unshift(middleware);
    return this;
  }

  /** Sets the terminal delegate (the protocol). Without one, connections are closed at once. */
  run(terminal: ConnectionDelegate): this {
    if (typeof terminal !== 'function') throw new TypeError('run() takes a function (ctx) => Promise<void>');
    this.#terminal = terminal;
    return this;
  }

  build(): ConnectionDelegate {
    const chain = this.#middleware.slice();
    const terminal = this.#terminal;
    // No middleware (most endpoints): no per-connection dispatch closure (which the bundle also
    // renames at run time, ~1 µs each), and the terminal is served without a promise.
    if (chain.length === 0) {
      return Object.assign((ctx: ConnectionContext) => callTerminal(terminal, ctx), {
        serve: (ctx: ConnectionContext, completion: ConnectionCompletion) => serveConnection(terminal, ctx, completion),
      });
    }
    return (ctx) => {
      let last = -1;
      const dispatch = (i: number): Promise<void> => {
        if (i <= last) return Promise.reject(new NextCalledTwiceError());
        last = i;
        if (i === chain.length) return callTerminal(terminal, ctx);
        try {
          return Promise.resolve(chain[i](ctx, () => dispatch(i + 1)));
        } catch (err) {
          return Promise.reject(err);
        }
      };
      return dispatch(0);
    };
  }
}

/** The terminal's promise; a synchronous throw becomes a rejection. */
function callTerminal(terminal: ConnectionDelegate, ctx: ConnectionContext): Promise<void> {
  try {
    return Promise.resolve(terminal(ctx));
  } catch (err) {
    return Promise.reject(err);
  }
}
