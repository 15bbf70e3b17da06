import type { DependencyContainer } from 'tsyringe';
import { ConnectionBuilder, type ConnectionDelegate, type Endpoint, type Scheme, type TransportOptions } from '../connection/index.js';
import type { ConnectionHandler, ConnectionHandlerClass } from './connection-handler.js';
/**
 * One endpoint's configuration: where to listen and the connection pipeline to run there
 * (Kestrel's `ListenOptions`). Connection middleware is added with `use`; the terminal is a
 * protocol (`run`) or a user's handler (`useConnectionHandler`).
 */
export declare class EndpointBuilder extends ConnectionBuilder {
    #private;
    readonly endpoint: Endpoint;
    readonly scheme: Scheme;
    /** Overrides the server's transport options for this endpoint only (see `withTransportOptions`). */
    transportOptions: TransportOptions;
    constructor(endpoint: Endpoint, scheme?: Scheme, 
    /** Overrides the server's transport options for this endpoint only (see `withTransportOptions`). */
    transportOptions?: TransportOptions);
    /** Buffer sizes for this endpoint's connections, over the server-wide `transport` options. */
    withTransportOptions(options: TransportOptions): this;
    /**
     * Runs a user's protocol as the terminal delegate: a class (resolved from the server's container
     * when the server starts) or an instance.
     */
    useConnectionHandler(handler: ConnectionHandlerClass | ConnectionHandler): this;
    run(terminal: ConnectionDelegate): this;
    /** True once a terminal (a protocol or a handler) has been chosen. */
    get hasTerminal(): boolean;
    /** Resolves the handler (if any) from `services` and composes the pipeline. */
    buildWith(services: DependencyContainer): ConnectionDelegate;
}
