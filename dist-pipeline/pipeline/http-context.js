import { FeatureCollection, TransportFeature } from '../connection/index.js';
import { HttpRequest } from './http-request.js';
import { HttpResponse } from './http-response.js';
/** Where the request came from: the connection's identity, read from the exchange on first use. */
export class ConnectionInfo {
    id;
    localEndpoint;
    remoteEndpoint;
    /** The transport's name ('tcp', 'pipe', 'memory', …), or undefined if it did not say. */
    transport;
    constructor(exchange) {
        const c = exchange.connection;
        this.id = c.id;
        this.localEndpoint = c.localEndpoint;
        this.remoteEndpoint = c.remoteEndpoint;
        this.transport = c.features.get(TransportFeature)?.name;
    }
}
// Set by HttpContext's static block (declared first: a `let` after the class would be in its TDZ).
let scopeOf;
/**
 * One request as the app sees it. Everything beyond the request and the response (features,
 * items, the request's DI scope, connection info) is created the first time it is asked for:
 * a handler that does not use them does not pay for them.
 */
export class HttpContext {
    request;
    response;
    /** The protocol-level exchange, for what the request and response do not cover (upgrades). */
    exchange;
    #app;
    #connection = undefined;
    #features = undefined;
    #items = undefined;
    #services = undefined;
    constructor(exchange, app) {
        this.exchange = exchange;
        this.request = new HttpRequest(exchange);
        this.response = new HttpResponse(exchange);
        this.#app = app;
    }
    get connection() {
        return (this.#connection ??= new ConnectionInfo(this.exchange));
    }
    /** Features of this request (not of the connection: those are in `exchange.connection.features`). */
    get features() {
        return (this.#features ??= new FeatureCollection());
    }
    /** Per-request state shared between middleware, keyed by anything. */
    get items() {
        return (this.#items ??= new Map());
    }
    /**
     * The request's DI scope: a child of the app's container, so `Lifecycle.ContainerScoped`
     * registrations made directly on the app's container get one instance per request. Disposed
     * (with its disposable instances) when the request's pipeline finishes.
     */
    get services() {
        return (this.#services ??= this.#app.container().createChildContainer());
    }
    /** Fires when the client goes away (or the exchange is aborted) before the response ended. */
    get signal() {
        return this.exchange.aborted;
    }
    static {
        scopeOf = (ctx) => ctx.#services;
    }
}
/**
 * The request scope if one was created, for the pipeline to dispose. Module-private in spirit:
 * index.ts does not export it, so apps cannot reach a scope they did not ask for.
 */
export function requestScopeOf(ctx) {
    return scopeOf(ctx);
}
//# sourceMappingURL=http-context.js.map