/**
 * Every error tiercel raises on purpose is a `TiercelError` with a stable `code`.
 * Callers (and tests) branch on `err.code`, never on the message. The codes are listed,
 * with what to do about each, in docs/errors.md.
 */
export declare class TiercelError extends Error {
    readonly code: string;
    constructor(code: string, message: string, options?: {
        cause?: unknown;
    });
}
/** A URL or endpoint description that cannot be understood. */
export declare class InvalidEndpointError extends TiercelError {
    readonly input: string;
    constructor(input: string, reason: string);
}
/** Another listener (this process or another) already owns the address. */
export declare class AddressInUseError extends TiercelError {
    readonly endpoint: string;
    constructor(endpoint: string, options?: {
        cause?: unknown;
    });
}
/** No registered transport claims the endpoint (its `canBind` said no). */
export declare class NoTransportForEndpointError extends TiercelError {
    readonly endpoint: string;
    readonly transports: readonly string[];
    constructor(endpoint: string, transports: readonly string[]);
}
/** A bind failed for a reason other than the address being taken. */
export declare class BindError extends TiercelError {
    readonly endpoint: string;
    constructor(endpoint: string, reason: string, options?: {
        cause?: unknown;
    });
}
/** A unix socket path longer than the OS allows (Node would silently truncate it). */
export declare class EndpointPathTooLongError extends TiercelError {
    readonly path: string;
    readonly maxBytes: number;
    constructor(path: string, maxBytes: number);
}
/** Nobody listens at the endpoint a client tried to reach (ECONNREFUSED for in-memory endpoints). */
export declare class ConnectionRefusedError extends TiercelError {
    readonly endpoint: string;
    constructor(endpoint: string);
}
/** The connection was aborted (by the server, a limit, shutdown or the peer). */
export declare class ConnectionAbortedError extends TiercelError {
    constructor(message?: string, options?: {
        cause?: unknown;
    });
}
/** A connection middleware called `next()` more than once. */
export declare class NextCalledTwiceError extends TiercelError {
    constructor();
}
/** An option was given a value outside its allowed range; thrown at configuration time. */
export declare class InvalidOptionError extends TiercelError {
    readonly option: string;
    constructor(option: string, rule: string);
}
/** The server is in the wrong state for the call (started twice, configured after start, …). */
export declare class ServerStateError extends TiercelError {
    constructor(message: string);
}
