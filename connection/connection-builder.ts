import type { ConnectionContext } from './connection-context.js';
import { NextCalledTwiceError } from './errors.js';

/** The terminal handler of a connection: a protocol, or a user's handler. */
export type ConnectionDelegate = (ctx: ConnectionContext) => Promise<void>;

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
    // renames at run time, ~1 µs each).
    if (chain.length === 0) return (ctx) => callTerminal(terminal, ctx);
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
