/**
 * Every error tiercel raises on purpose is a `TiercelError` with a stable `code`.
 * Callers (and tests) branch on `err.code`, never on the message. The codes are listed,
 * with what to do about each, in docs/errors.md.
 */
export class TiercelError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A URL or endpoint description that cannot be understood. */
export class InvalidEndpointError extends TiercelError {
  constructor(
    readonly input: string,
    /** The rule the input broke, without the input. */
    readonly reason: string,
  ) {
    super('ERR_TIERCEL_INVALID_ENDPOINT', `Invalid endpoint '${input}': ${reason}`);
  }
}

/** Another listener (this process or another) already owns the address. */
export class AddressInUseError extends TiercelError {
  constructor(readonly endpoint: string, options?: { cause?: unknown }) {
    super('ERR_TIERCEL_ADDRESS_IN_USE', `Address already in use: ${endpoint}`, options);
  }
}

/** No registered transport claims the endpoint (its `canBind` said no). */
export class NoTransportForEndpointError extends TiercelError {
  constructor(readonly endpoint: string, readonly transports: readonly string[]) {
    super(
      'ERR_TIERCEL_NO_TRANSPORT',
      `No transport can bind ${endpoint} (registered: ${transports.length ? transports.join(', ') : 'none'})`,
    );
  }
}

/** A bind failed for a reason other than the address being taken. */
export class BindError extends TiercelError {
  constructor(readonly endpoint: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_TIERCEL_BIND_FAILED', `Cannot bind ${endpoint}: ${reason}`, options);
  }
}

/**
 * A listen URL names a descriptor (`fd:3`, `fd:web`) the process was not handed: not among
 * `LISTEN_FDS` (or no socket activation at all, or `LISTEN_PID` naming another process), or
 * already served by another endpoint of this transport.
 */
export class FdNotPassedError extends TiercelError {
  constructor(readonly endpoint: string, reason: string) {
    super('ERR_TIERCEL_FD_NOT_PASSED', `Cannot serve ${endpoint}: ${reason}`);
  }
}

/** A unix socket path longer than the OS allows (Node would silently truncate it). */
export class EndpointPathTooLongError extends TiercelError {
  constructor(readonly path: string, readonly maxBytes: number) {
    super(
      'ERR_TIERCEL_PATH_TOO_LONG',
      `Unix socket path is ${Buffer.byteLength(path)} bytes; the limit on this OS is ${maxBytes}: ${path}`,
    );
  }
}

/** Nobody listens at the endpoint a client tried to reach (ECONNREFUSED for in-memory endpoints). */
export class ConnectionRefusedError extends TiercelError {
  constructor(readonly endpoint: string) {
    super('ERR_TIERCEL_CONNECTION_REFUSED', `Connection refused: nothing listens on ${endpoint}`);
  }
}

/** The connection was aborted (by the server, a limit, shutdown or the peer). */
export class ConnectionAbortedError extends TiercelError {
  constructor(message = 'The connection was aborted', options?: { cause?: unknown }) {
    super('ERR_TIERCEL_CONNECTION_ABORTED', message, options);
  }
}

/**
 * The in-memory transport's peer reset the connection (`resetAndDestroy()`, or a close with unread
 * input). The code is the system's ECONNRESET on purpose: it stands where a socket's reset error
 * would, and HTTP, TLS and WebSocket clients already treat that code as a reset.
 */
export class ConnectionResetError extends TiercelError {
  constructor(message = 'The peer reset the connection') {
    super('ECONNRESET', message);
  }
}

/**
 * The connection closed gracefully: both sides ended (a FIN each way) and nothing failed. It is
 * `ctx.closed.reason` when `ctx.closeKind` is 'end'.
 */
export class ConnectionClosedError extends TiercelError {
  constructor(message = 'The connection was closed') {
    super('ERR_TIERCEL_CONNECTION_CLOSED', message);
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
  constructor(
    readonly option: string,
    /** The rule the value broke, without the option's name (the configuration reports it under its own key). */
    readonly rule: string,
  ) {
    super('ERR_TIERCEL_INVALID_OPTION', `Invalid option '${option}': ${rule}`);
  }
}

/** The server is in the wrong state for the call (started twice, configured after start, …). */
export class ServerStateError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_SERVER_STATE', message);
  }
}

/**
 * Why a PROXY protocol header was refused (see docs/errors.md):
 * - 'signature': the connection did not start with a PROXY header (v1 `PROXY ` or v2's 12 bytes);
 * - 'version', 'command': a v2 version other than 2, a command other than LOCAL or PROXY;
 * - 'family': a v1 protocol other than TCP4, TCP6, UNKNOWN; a v2 family or transport unassigned;
 * - 'length': a v2 address length too short for its family;
 * - 'too-large': a v1 line without CRLF in 107 bytes, a v2 header over `maxHeaderBytes`;
 * - 'line': a v1 line not exactly as specified (a space too many or missing, a lone CR or LF);
 * - 'address', 'port': a v1 address or port that is not canonical or does not match the family;
 * - 'tlv', 'checksum': a v2 TLV cut short, repeated, or with a bad value; a CRC32C that does not match;
 * - 'timeout': no complete header within `headerTimeoutMs`;
 * - 'closed': the peer ended or the server stopped before a complete header;
 * - 'untrusted': the peer is not a trusted proxy (with `untrusted: 'close'`).
 */
export type ProxyProtocolRejectionReason =
  | 'signature'
  | 'version'
  | 'command'
  | 'family'
  | 'length'
  | 'too-large'
  | 'line'
  | 'address'
  | 'port'
  | 'tlv'
  | 'checksum'
  | 'timeout'
  | 'closed'
  | 'untrusted';

/**
 * A connection's PROXY protocol header was refused; `reason` says why. The connection is closed
 * before any protocol sees it; the error is logged at debug, counted, and never thrown to your code.
 */
export class ProxyProtocolError extends TiercelError {
  constructor(readonly reason: ProxyProtocolRejectionReason, detail: string) {
    super('ERR_TIERCEL_PROXY_PROTOCOL', `PROXY protocol header refused (${reason}): ${detail}`);
  }
}

/** Error codes that mean the peer went away (a reset, a write to a closed pipe) or the connection was cut. */
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED', 'ERR_TIERCEL_CONNECTION_ABORTED']);

/**
 * True when `err` says the connection was lost (the peer reset or closed it, or it was aborted):
 * something a server expects from clients and logs at debug, not a fault of its own code.
 */
export function isConnectionLost(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CONNECTION_LOST_CODES.has(code);
}
