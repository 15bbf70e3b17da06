import { ConnectionBuilder, } from '../connection/index.js';
/**
 * One endpoint's configuration: where to listen and the connection pipeline to run there
 * (Kestrel's `ListenOptions`). Connection middleware is added with `use`; the terminal is a
 * protocol (`run`) or a user's handler (`useConnectionHandler`).
 */
export class EndpointBuilder extends ConnectionBuilder {
    endpoint;
    scheme;
    transportOptions;
    #handler;
    #hasTerminal = false;
    constructor(endpoint, scheme = 'http', 
    /** Overrides the server's transport options for this endpoint only (see `withTransportOptions`). */
    transportOptions = {}) {
        super();
        this.endpoint = endpoint;
        this.scheme = scheme;
        this.transportOptions = transportOptions;
    }
    /** Buffer sizes for this endpoint's connections, over the server-wide `transport` options. */
    withTransportOptions(options) {
        this.transportOptions = { ...this.transportOptions, ...options };
        return this;
    }
    /**
     * Runs a user's protocol as the terminal delegate: a class (resolved from the server's container
     * when the server starts) or an instance.
     */
    useConnectionHandler(handler) {
        if (typeof handler !== 'function' && typeof handler?.onConnected !== 'function') {
            throw new TypeError('useConnectionHandler() takes a class or an object with onConnected(ctx)');
        }
        this.#handler = handler;
        this.#hasTerminal = true;
        return this;
    }
    run(terminal) {
        this.#handler = undefined;
        this.#hasTerminal = true;
        return super.run(terminal);
    }
    /** True once a terminal (a protocol or a handler) has been chosen. */
    get hasTerminal() {
        return this.#hasTerminal;
    }
    /** Resolves the handler (if any) from `services` and composes the pipeline. */
    buildWith(services) {
        const handler = this.#handler;
        if (handler !== undefined) {
            const instance = typeof handler === 'function' ? services.resolve(handler) : handler;
            super.run((ctx) => instance.onConnected(ctx));
        }
        return this.build();
    }
}
//# sourceMappingURL=endpoint-builder.js.map