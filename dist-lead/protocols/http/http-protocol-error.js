import { TiercelError } from '../../connection/index.js';
/**
 * A request the protocol refuses, with the status to answer it with. Every HTTP-level rejection
 * (bad framing, limits, timeouts) is one of these; the `code` is stable, the message is a sentence.
 */
export class HttpProtocolError extends TiercelError {
    status;
    constructor(code, status, message, options) {
        super(code, message, options);
        this.status = status;
    }
}
/** The app set a header name or value that is not allowed (CR, LF, NUL: response splitting). */
export class InvalidHeaderError extends TiercelError {
    headerName;
    constructor(headerName, what) {
        super('ERR_TIERCEL_INVALID_HEADER', what === 'name'
            ? `Invalid header name ${JSON.stringify(headerName)}: a name must be a token (RFC 9110 §5.1)`
            : `Invalid value for header '${headerName}': CR, LF, NUL and other control characters are not allowed`);
        this.headerName = headerName;
    }
}
/** Headers cannot change once they are sent. */
export class HeadersSentError extends TiercelError {
    constructor(what) {
        super('ERR_TIERCEL_HEADERS_SENT', `Cannot ${what}: the response headers have already been sent`);
    }
}
//# sourceMappingURL=http-protocol-error.js.map