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
/**
 * Present on connections that went through TLS connection middleware: what the handshake settled.
 * The types stay structural so connection/ needs no node:tls.
 */
export interface TlsFeature {
    /** The ALPN protocol chosen ('h2', 'http/1.1'), or null when the client offered none we speak. */
    readonly alpnProtocol: string | null;
    /** 'TLSv1.2', 'TLSv1.3'. */
    readonly tlsVersion: string | null;
    /** The negotiated cipher suite's name. */
    readonly cipher: string | null;
    /** The host name the client asked for (SNI), or null without SNI. */
    readonly serverName: string | null;
    /** The client's certificate (node:tls's `PeerCertificate`), or null when none was sent. */
    readonly clientCertificate: Readonly<Record<string, unknown>> | null;
    /** Whether the client certificate passed validation (false without one). */
    readonly clientCertificateAuthorized: boolean;
}
export declare const TlsFeature: FeatureKey<TlsFeature>;
