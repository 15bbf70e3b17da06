import type { ConnectionContext } from './connection-context.js';
/** The terminal handler of a connection: a protocol, or a user's handler. */
export type ConnectionDelegate = (ctx: ConnectionContext) => Promise<void>;
/**
 * Connection middleware: wraps the rest of the connection pipeline. It may inspect or replace
 * `ctx.transport`, set features, or decide not to call `next` (which ends the connection).
 */
export type ConnectionMiddleware = (ctx: ConnectionContext, next: () => Promise<void>) => Promise<void>;
/**
 * Composes connection middleware into one delegate. Built once per endpoint; the composition
 * is not rebuilt per connection.
 */
export declare class ConnectionBuilder {
    #private;
    use(middleware: ConnectionMiddleware): this;
    /** Sets the terminal delegate (the protocol). Without one, connections are closed at once. */
    run(terminal: ConnectionDelegate): this;
    get middlewareCount(): number;
    build(): ConnectionDelegate;
}
