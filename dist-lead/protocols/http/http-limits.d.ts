/** A minimum data rate: below `bytesPerSecond` after `gracePeriodMs`, the transfer is too slow. */
export interface MinDataRate {
    readonly bytesPerSecond: number;
    readonly gracePeriodMs: number;
}
/**
 * Every HTTP limit in one place, each with its default and what happens when it is exceeded.
 * The defaults are Kestrel's (`KestrelServerLimits`), so a proxy tuned for Kestrel fits tiercel.
 * Turning a limit off (`Infinity` or `null`) removes a protection against slow or huge clients.
 */
export interface HttpLimits {
    /** Longest request line (method, target, version). Default 8 KiB → 414 URI Too Long. */
    maxRequestLineSize: number;
    /** Total bytes of the request's header lines. Default 32 KiB → 431. */
    maxRequestHeadersTotalSize: number;
    /** Header lines per request. Default 100 → 431. */
    maxRequestHeaderCount: number;
    /**
     * Largest request body, checked against Content-Length up front and against the bytes that
     * really arrive. Default 30,000,000 bytes (~28.6 MiB) → 413. Apps may change it per request
     * before reading the body.
     */
    maxRequestBodySize: number;
    /**
     * Time from a request's first byte to the end of its headers. Default 30 s → 408 and the
     * connection is closed (slowloris).
     */
    requestHeadersTimeoutMs: number;
    /** Idle time allowed between requests on a keep-alive connection. Default 130 s → closed. */
    keepAliveTimeoutMs: number;
    /**
     * Slowest acceptable request body upload once the app reads it. Default 240 B/s after a 5 s
     * grace → 408 and close. `null` turns it off.
     */
    minRequestBodyDataRate: MinDataRate | null;
    /**
     * Slowest acceptable response download while the server has data waiting. Default 240 B/s
     * after 5 s → the connection is aborted. `null` turns it off.
     */
    minResponseDataRate: MinDataRate | null;
    /**
     * How much of a request body the app did not read is read and discarded so the connection can
     * be reused. Default 1 MiB; a larger unread body closes the connection instead.
     */
    maxRequestBodyDrainSize: number;
    /**
     * Connections upgraded to another protocol (WebSockets, CONNECT tunnels) at once, per server.
     * They no longer count against HTTP's own limits, so this caps them. Default `Infinity`
     * (Kestrel's `MaxConcurrentUpgradedConnections` is null, unlimited) → an upgrade over it gets 503.
     */
    maxConcurrentUpgradedConnections: number;
}
export declare const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits>;
/** Applies defaults and refuses bad values at configuration time. */
export declare function resolveHttpLimits(limits?: Partial<HttpLimits>): HttpLimits;
