/**
 * A typed key into a `FeatureCollection`. Features are how a layer exposes optional detail
 * (the socket, TLS state, the peer's credentials) without widening `ConnectionContext`.
 */
export declare class FeatureKey<T> {
    readonly name: string;
    readonly __type?: T;
    constructor(name: string);
    toString(): string;
}
export declare class FeatureCollection {
    #private;
    get<T>(key: FeatureKey<T>): T | undefined;
    set<T>(key: FeatureKey<T>, value: T | undefined): void;
    has(key: FeatureKey<unknown>): boolean;
    [Symbol.iterator](): IterableIterator<[FeatureKey<unknown>, unknown]>;
}
/** Present on connections backed by a `net.Socket` (TCP and unix/pipe transports). */
export interface SocketFeature {
    readonly socket: import('node:net').Socket;
}
export declare const SocketFeature: FeatureKey<SocketFeature>;
/** Identifies which transport produced a connection ('tcp', 'pipe', 'memory', or a custom name). */
export interface TransportFeature {
    readonly name: string;
}
export declare const TransportFeature: FeatureKey<TransportFeature>;
/**
 * Lets the server ask a connection to finish gracefully (shutdown) without aborting it. A protocol
 * watches `closeRequested` and ends the connection at its next safe point: HTTP/1.1 after the
 * response in flight, a line protocol after the current line (Kestrel's
 * `IConnectionLifetimeNotificationFeature`).
 */
export interface LifetimeFeature {
    readonly closeRequested: AbortSignal;
    requestClose(): void;
}
export declare const LifetimeFeature: FeatureKey<LifetimeFeature>;
