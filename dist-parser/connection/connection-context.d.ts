import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { FeatureCollection } from './features.js';
export interface ConnectionContextInit {
    transport: Duplex;
    localEndpoint: Endpoint;
    remoteEndpoint: Endpoint;
    features?: FeatureCollection;
    id?: string;
}
/**
 * One accepted connection as it passes through connection middleware to a protocol.
 *
 * `transport` is the byte stream the next layer reads and writes. Middleware may replace it
 * (TLS swaps it for the decrypted stream); whoever replaces it owns the old one's lifetime.
 * `closed` fires once, when the connection is aborted or the transport closes.
 */
export declare class ConnectionContext {
    #private;
    readonly id: string;
    transport: Duplex;
    readonly localEndpoint: Endpoint;
    readonly remoteEndpoint: Endpoint;
    readonly features: FeatureCollection;
    /** Per-connection state shared between middleware, keyed by anything. */
    readonly items: Map<unknown, unknown>;
    constructor(init: ConnectionContextInit);
    /** Fires when the connection ends for any reason; `closed.reason` says why. */
    get closed(): AbortSignal;
    /**
     * Ends the connection now, without a graceful close: the transport (and the one it replaced,
     * if middleware swapped it) is destroyed and `closed` fires with the reason.
     */
    abort(reason?: unknown): void;
    /**
     * Closes the connection gracefully: ends the writable side (flushing what is queued), reads and
     * drops what the peer still sends, and destroys the transport when the peer ends too or after
     * `lingerMs`. Closing at once could make the kernel answer late input with a reset that
     * destroys the response the peer has not read yet (the reason for nginx's lingering close).
     */
    close(lingerMs?: number): void;
}
