import type { Logger, Transport } from '../connection/index.js';
import type { ServerOptions } from './server-options.js';
/**
 * A DI token that remembers the type it resolves to. tsyringe's own tokens are untyped symbols;
 * `resolve(container, TOKEN)` keeps the type without a cast at every call site.
 */
export type Token<T> = symbol & {
    readonly __tokenType?: T;
};
export declare function token<T>(description: string): Token<T>;
/** Every registered transport, in registration order (the last that can bind an endpoint wins). */
export declare const TRANSPORT: Token<Transport>;
/** The server's resolved options (defaults applied). */
export declare const SERVER_OPTIONS: Token<Required<ServerOptions>>;
/** The logger every component writes to. */
export declare const LOGGER: Token<Logger>;
