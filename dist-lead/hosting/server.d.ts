import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { type ConnectionDelegate, type Endpoint, type Logger, type Transport } from '../connection/index.js';
import { type ServerOptions, type TransportClass } from '../di/index.js';
import { EndpointBuilder } from './endpoint-builder.js';
import { type HttpApplication, type HttpOptions } from '../protocols/http/index.js';
/** An HTTP application, or something that builds one (an `ApplicationBuilder`). */
export type HttpApplicationSource = HttpApplication | {
    build(services?: DependencyContainer): HttpApplication;
};
export interface ServerStats {
    /** Connections accepted and handed to a pipeline since start. */
    readonly accepted: number;
    /** Connections closed at once because `maxConcurrentConnections` was reached. */
    readonly rejected: number;
    /** Connections open now. */
    readonly active: number;
}
/** A function that gives an endpoint with no terminal of its own its protocol (HTTP, later). */
export type DefaultTerminal = (endpoint: EndpointBuilder, services: DependencyContainer) => ConnectionDelegate;
/**
 * The server core: binds every endpoint through the transport that claims it, runs one accept loop
 * per listener, runs each connection through its endpoint's pipeline, tracks live connections,
 * enforces the connection limit, and stops gracefully.
 */
export declare class Server {
    #private;
    /** The server's own DI container (a child container; never tsyringe's global one). */
    readonly services: DependencyContainer;
    constructor(options?: ServerOptions);
    /** The server's logger: whatever is registered under `LOGGER` (a user may replace it before start). */
    get logger(): Logger;
    /**
     * Registers a transport class, resolved from the server's container with its own dependencies.
     * It is tried before every transport registered earlier, the built-in ones included.
     */
    addTransport(transport: TransportClass): this;
    /** The transport instance of a class, as the server uses it (for `MemoryTransport.connect`). */
    getTransport<T extends Transport>(transport: TransportClass<T>): T;
    /**
     * Adds an endpoint: a listen URL (`http://127.0.0.1:5000`, `http://unix:/run/app.sock`,
     * `http://memory:app`, …) or an endpoint object for a custom transport. `configure` adds its
     * connection middleware and terminal.
     */
    listen(url: string | Endpoint, configure?: (endpoint: EndpointBuilder) => void): EndpointBuilder;
    /** Sets the protocol for endpoints that chose none (the HTTP layer plugs in here). */
    setDefaultTerminal(terminal: DefaultTerminal): this;
    /**
     * Serves HTTP with `app` on every endpoint that has no protocol of its own. The app is built
     * once, here; `options` holds the limits (see `HttpLimits`) and the Server header.
     */
    useHttp(app: HttpApplicationSource, options?: HttpOptions): this;
    /** The endpoints actually bound (port 0 resolved), in `listen` order. Empty before start. */
    get endpoints(): Endpoint[];
    get urls(): string[];
    get stats(): ServerStats;
    /**
     * Binds every endpoint and starts accepting. If any endpoint cannot bind, what was bound is
     * unbound again and the real cause is thrown (an `AddressInUseError`, say).
     */
    start(): Promise<void>;
    /**
     * Stops gracefully: unbinds every endpoint, asks every connection to close, waits up to
     * `timeoutMs` (default `shutdownTimeoutMs`), then aborts what is left.
     */
    stop(timeoutMs?: number): Promise<void>;
}
