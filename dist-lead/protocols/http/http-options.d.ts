import { type HttpLimits } from './http-limits.js';
/** Options of the HTTP protocol adapters, with defaults. */
export interface HttpOptions {
    /** See `HttpLimits`: every limit's default and outcome. */
    limits?: Partial<HttpLimits>;
    /**
     * The `Server` response header: a product token, or `false` to send none (Kestrel's
     * `AddServerHeader`). Default 'tiercel'. Hiding it is cosmetic, not a security control.
     */
    serverHeader?: string | false;
    /**
     * Request methods to accept besides the registered ones (the IANA registry and the common
     * extensions); any other method gets 501 Not Implemented (RFC 9110 §9.1). Default: none.
     */
    extraMethods?: readonly string[];
}
/** Connections upgraded away from HTTP right now, shared by every connection of a server. */
export declare class UpgradeCounter {
    active: number;
}
export interface ResolvedHttpOptions {
    readonly limits: HttpLimits;
    /** Counts live upgraded connections against `limits.maxConcurrentUpgradedConnections`. */
    readonly upgrades: UpgradeCounter;
    readonly extraMethods: readonly string[];
    /** The wire form, `server: tiercel\r\n`, or '' for none. */
    readonly serverLine: string;
}
export declare function resolveHttpOptions(options?: HttpOptions): ResolvedHttpOptions;
