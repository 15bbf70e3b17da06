import type { ConnectionContext } from '../connection/index.js';
/**
 * A user's protocol: the terminal delegate of an endpoint's connection pipeline, resolved from
 * the server's container (so it can `@inject` the logger or its own services). The connection is
 * closed when `onConnected` settles.
 */
export interface ConnectionHandler {
    onConnected(ctx: ConnectionContext): Promise<void>;
}
export type ConnectionHandlerClass = new (...args: any[]) => ConnectionHandler;
