import { TiercelError } from '../connection/index.js';
import { type HeaderValue } from '../protocols/http/index.js';
export interface HttpErrorOptions {
    /**
     * Whether `message` may be sent to the client. Default: true for 4xx (the client's mistake,
     * worth telling), false for 5xx (the server's, whose details can leak internals).
     */
    expose?: boolean;
    /** Headers for the error response (`www-authenticate`, `retry-after`, …). Default none. */
    headers?: Readonly<Record<string, HeaderValue>>;
    /** A stable code for callers to branch on. Default `ERR_TIERCEL_HTTP_ERROR`. */
    code?: string;
    cause?: unknown;
}
/**
 * Throw one from a handler to answer with an error status: the pipeline sends `status`, the
 * `headers`, and `message` as text/plain when `expose` is true (an empty body otherwise).
 */
export declare class HttpError extends TiercelError {
    readonly status: number;
    readonly expose: boolean;
    readonly headers: Readonly<Record<string, HeaderValue>> | undefined;
    constructor(status: number, message?: string, options?: HttpErrorOptions);
}
