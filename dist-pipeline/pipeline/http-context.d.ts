import type { DependencyContainer } from 'tsyringe';
import { FeatureCollection, type Endpoint } from '../connection/index.js';
import type { HttpExchange } from '../protocols/http/index.js';
import { HttpRequest } from './http-request.js';
import { HttpResponse } from './http-response.js';
/** Where the request came from: the connection's identity, read from the exchange on first use. */
export declare class ConnectionInfo {
    readonly id: string;
    readonly localEndpoint: Endpoint;
    readonly remoteEndpoint: Endpoint;
    /** The transport's name ('tcp', 'pipe', 'memory', …), or undefined if it did not say. */
    readonly transport: string | undefined;
    constructor(exchange: HttpExchange);
}
/**
 * What the pipeline knows of the app: its root container, created on first need. One per built
 * application, shared by every request.
 */
export interface ApplicationServices {
    /** The app's container; request scopes are its children. */
    container(): DependencyContainer;
}
/**
 * One request as the app sees it. Everything beyond the request and the response (features,
 * items, the request's DI scope, connection info) is created the first time it is asked for:
 * a handler that does not use them does not pay for them.
 */
export declare class HttpContext {
    #private;
    readonly request: HttpRequest;
    readonly response: HttpResponse;
    /** The protocol-level exchange, for what the request and response do not cover (upgrades). */
    readonly exchange: HttpExchange;
    constructor(exchange: HttpExchange, app: ApplicationServices);
    get connection(): ConnectionInfo;
    /** Features of this request (not of the connection: those are in `exchange.connection.features`). */
    get features(): FeatureCollection;
    /** Per-request state shared between middleware, keyed by anything. */
    get items(): Map<unknown, unknown>;
    /**
     * The request's DI scope: a child of the app's container, so `Lifecycle.ContainerScoped`
     * registrations made directly on the app's container get one instance per request. Disposed
     * (with its disposable instances) when the request's pipeline finishes.
     */
    get services(): DependencyContainer;
    /** Fires when the client goes away (or the exchange is aborted) before the response ended. */
    get signal(): AbortSignal;
}
/**
 * The request scope if one was created, for the pipeline to dispose. Module-private in spirit:
 * index.ts does not export it, so apps cannot reach a scope they did not ask for.
 */
export declare function requestScopeOf(ctx: HttpContext): DependencyContainer | undefined;
