/**
 * Every error tiercel raises on purpose is a `TiercelError` with a stable `code`.
 * Callers (and tests) branch on `err.code`, never on the message. The codes are listed,
 * with what to do about each, in docs/errors.md.
 */
export class TiercelError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.code = code;
        this.name = new.target.name;
    }
}
/** A URL or endpoint description that cannot be understood. */
export class InvalidEndpointError extends TiercelError {
    input;
    constructor(input, reason) {
        super('ERR_TIERCEL_INVALID_ENDPOINT', `Invalid endpoint '${input}': ${reason}`);
        this.input = input;
    }
}
/** Another listener (this process or another) already owns the address. */
export class AddressInUseError extends TiercelError {
    endpoint;
    constructor(endpoint, options) {
        super('ERR_TIERCEL_ADDRESS_IN_USE', `Address already in use: ${endpoint}`, options);
        this.endpoint = endpoint;
    }
}
/** No registered transport claims the endpoint (its `canBind` said no). */
export class NoTransportForEndpointError extends TiercelError {
    endpoint;
    transports;
    constructor(endpoint, transports) {
        super('ERR_TIERCEL_NO_TRANSPORT', `No transport can bind ${endpoint} (registered: ${transports.length ? transports.join(', ') : 'none'})`);
        this.endpoint = endpoint;
        this.transports = transports;
    }
}
/** A bind failed for a reason other than the address being taken. */
export class BindError extends TiercelError {
    endpoint;
    constructor(endpoint, reason, options) {
        super('ERR_TIERCEL_BIND_FAILED', `Cannot bind ${endpoint}: ${reason}`, options);
        this.endpoint = endpoint;
    }
}
/** A unix socket path longer than the OS allows (Node would silently truncate it). */
export class EndpointPathTooLongError extends TiercelError {
    path;
    maxBytes;
    constructor(path, maxBytes) {
        super('ERR_TIERCEL_PATH_TOO_LONG', `Unix socket path is ${Buffer.byteLength(path)} bytes; the limit on this OS is ${maxBytes}: ${path}`);
        this.path = path;
        this.maxBytes = maxBytes;
    }
}
/** Nobody listens at the endpoint a client tried to reach (ECONNREFUSED for in-memory endpoints). */
export class ConnectionRefusedError extends TiercelError {
    endpoint;
    constructor(endpoint) {
        super('ERR_TIERCEL_CONNECTION_REFUSED', `Connection refused: nothing listens on ${endpoint}`);
        this.endpoint = endpoint;
    }
}
/** The connection was aborted (by the server, a limit, shutdown or the peer). */
export class ConnectionAbortedError extends TiercelError {
    constructor(message = 'The connection was aborted', options) {
        super('ERR_TIERCEL_CONNECTION_ABORTED', message, options);
    }
}
/** A connection middleware called `next()` more than once. */
export class NextCalledTwiceError extends TiercelError {
    constructor() {
        super('ERR_TIERCEL_NEXT_CALLED_TWICE', 'A middleware called next() more than once');
    }
}
/** An option was given a value outside its allowed range; thrown at configuration time. */
export class InvalidOptionError extends TiercelError {
    option;
    constructor(option, rule) {
        super('ERR_TIERCEL_INVALID_OPTION', `Invalid option '${option}': ${rule}`);
        this.option = option;
    }
}
/** The server is in the wrong state for the call (started twice, configured after start, …). */
export class ServerStateError extends TiercelError {
    constructor(message) {
        super('ERR_TIERCEL_SERVER_STATE', message);
    }
}
//# sourceMappingURL=errors.js.map