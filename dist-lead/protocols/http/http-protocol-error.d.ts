import { TiercelError } from '../../connection/index.js';
/**
 * A request the protocol refuses, with the status to answer it with. Every HTTP-level rejection
 * (bad framing, limits, timeouts) is one of these; the `code` is stable, the message is a sentence.
 */
export declare class HttpProtocolError extends TiercelError {
    readonly status: number;
    constructor(code: string, status: number, message: string, options?: {
        cause?: unknown;
    });
}
/** The app set a header name or value that is not allowed (CR, LF, NUL: response splitting). */
export declare class InvalidHeaderError extends TiercelError {
    readonly headerName: string;
    constructor(headerName: string, what: 'name' | 'value');
}
/** Headers cannot change once they are sent. */
export declare class HeadersSentError extends TiercelError {
    constructor(what: string);
}
