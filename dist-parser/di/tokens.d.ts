import type { ServerOptions } from './server-options.js';
export { token, TRANSPORT, LOGGER, type Token } from '../connection/index.js';
/** The server's resolved options (defaults applied). */
export declare const SERVER_OPTIONS: import("../connection/tokens.js").Token<Required<ServerOptions>>;
