import { HttpProtocolError } from '../http/http-protocol-error.js';

/**
 * Why the HTTP/1.1 parser refused a request (Kestrel's `RequestRejectionReason`). A closed set:
 * the driver maps it to a status, logs and tests branch on it, and nothing else is ever thrown
 * by the parser for bad input. The values are stable strings so a log line is readable.
 */
export const RequestRejectionReason = {
  // ---- request line (RFC 9112 §3) ----
  InvalidMethod: 'invalid-method',
  /** An Expect other than 100-continue (RFC 9110 §10.1.1: 417). */
  UnsupportedExpectation: 'unsupported-expectation',
  /** A well-formed method the server does not recognise (RFC 9110 §9.1: 501). */
  UnknownMethod: 'unknown-method',
  /** `PRI * HTTP/2.0`: the HTTP/2 preface reached the HTTP/1.1 parser (RFC 9113 §3.4). */
  UnexpectedHttp2Preface: 'unexpected-http2-preface',
  /**
   * No form of RFC 9112 §3.2, or a malformed one: CONNECT without `host:port`, an absolute-form
   * target that is not http(s) or whose authority is empty, has userinfo or is not `host[:port]`.
   */
  InvalidRequestTarget: 'invalid-request-target',
  /** asterisk-form (`*`) with a method other than OPTIONS (RFC 9112 §3.2.4). */
  OptionsMethodRequired: 'options-method-required',
  /** authority-form (`host:port`) with a method other than CONNECT (RFC 9112 §3.2.3). */
  ConnectMethodRequired: 'connect-method-required',
  /** The line ended before a version (`GET /\r\n`, the HTTP/0.9 form), or had extra parts. */
  InvalidRequestLine: 'invalid-request-line',
  /** Not `HTTP/<digit>.<digit>` (`RTSP/1.0`, `IHTTP/1.0`, `HTTP/1.1 `). */
  InvalidVersion: 'invalid-version',
  /** Well-formed but not 1.0 or 1.1 (`HTTP/2.0`, `HTTP/1.2`, `HTTP/0.9`). */
  UnsupportedHttpVersion: 'unsupported-http-version',
  RequestLineTooLong: 'request-line-too-long',
  // ---- line framing ----
  /** LF not preceded by CR, in the head or in chunked framing (RFC 9112 §2.2). */
  BareLineFeed: 'bare-lf',
  /** CR not followed by LF (RFC 9112 §2.2). */
  BareCarriageReturn: 'bare-cr',
  // ---- header fields (RFC 9110 §5, RFC 9112 §5) ----
  InvalidHeaderName: 'invalid-header-name',
  EmptyHeaderName: 'empty-header-name',
  /** `Name : value`: whitespace between the field name and the colon (RFC 9112 §5.1). */
  WhitespaceBeforeColon: 'whitespace-before-colon',
  /** A line starting with SP/HTAB: obs-fold, or whitespace after the request line (RFC 9112 §5.2, §2.2). */
  ObsoleteLineFolding: 'obs-fold',
  /** NUL, CR, DEL or another control character (HTAB aside) in a field value. */
  InvalidHeaderValue: 'invalid-header-value',
  HeadersTooLarge: 'headers-too-large',
  TooManyHeaders: 'too-many-headers',
  DuplicateHost: 'duplicate-host',
  MissingHost: 'missing-host',
  InvalidHost: 'invalid-host',
  // ---- message framing (RFC 9112 §6) ----
  InvalidContentLength: 'invalid-content-length',
  DuplicateContentLength: 'duplicate-content-length',
  ContentLengthWithTransferEncoding: 'content-length-with-transfer-encoding',
  /** `chunked` is not the final coding, the value is empty, or chunked is applied twice. */
  InvalidTransferEncoding: 'invalid-transfer-encoding',
  DuplicateTransferEncoding: 'duplicate-transfer-encoding',
  TransferEncodingInHttp10: 'transfer-encoding-in-http10',
  /** Codings before `chunked` (`gzip, chunked`): well-framed, but tiercel decodes none of them. */
  UnsupportedTransferEncoding: 'unsupported-transfer-encoding',
  // ---- chunked body (RFC 9112 §7.1) ----
  InvalidChunkSize: 'invalid-chunk-size',
  ChunkSizeOverflow: 'chunk-size-overflow',
  InvalidChunkExtension: 'invalid-chunk-extension',
  ChunkExtensionsTooLarge: 'chunk-extensions-too-large',
  /** Chunk data not followed by CRLF (its size was a lie). */
  InvalidChunkTerminator: 'invalid-chunk-terminator',
  TrailersTooLarge: 'trailers-too-large',
} as const;
export type RequestRejectionReason = (typeof RequestRejectionReason)[keyof typeof RequestRejectionReason];

const R = RequestRejectionReason;

// One status per reason, so the driver answers without a decision of its own.
const STATUS: Record<RequestRejectionReason, number> = {
  [R.InvalidMethod]: 400,
  [R.UnsupportedExpectation]: 417,
  [R.UnknownMethod]: 501,
  [R.UnexpectedHttp2Preface]: 400,
  [R.InvalidRequestTarget]: 400,
  [R.OptionsMethodRequired]: 400,
  [R.ConnectMethodRequired]: 400,
  [R.InvalidRequestLine]: 400,
  [R.InvalidVersion]: 400,
  [R.UnsupportedHttpVersion]: 505,
  [R.RequestLineTooLong]: 414,
  [R.BareLineFeed]: 400,
  [R.BareCarriageReturn]: 400,
  [R.InvalidHeaderName]: 400,
  [R.EmptyHeaderName]: 400,
  [R.WhitespaceBeforeColon]: 400,
  [R.ObsoleteLineFolding]: 400,
  [R.InvalidHeaderValue]: 400,
  [R.HeadersTooLarge]: 431,
  [R.TooManyHeaders]: 431,
  [R.DuplicateHost]: 400,
  [R.MissingHost]: 400,
  [R.InvalidHost]: 400,
  [R.InvalidContentLength]: 400,
  [R.DuplicateContentLength]: 400,
  [R.ContentLengthWithTransferEncoding]: 400,
  [R.InvalidTransferEncoding]: 400,
  [R.DuplicateTransferEncoding]: 400,
  [R.TransferEncodingInHttp10]: 400,
  [R.UnsupportedTransferEncoding]: 501,
  [R.InvalidChunkSize]: 400,
  [R.ChunkSizeOverflow]: 400,
  [R.InvalidChunkExtension]: 400,
  // Node answers its chunk-extension limit (CVE-2024-22019) with 413; so do we.
  [R.ChunkExtensionsTooLarge]: 413,
  [R.InvalidChunkTerminator]: 400,
  [R.TrailersTooLarge]: 431,
};

const MESSAGE: Record<RequestRejectionReason, string> = {
  [R.InvalidMethod]: 'The method is not a token',
  [R.UnsupportedExpectation]: 'The only expectation this server meets is 100-continue',
  [R.UnknownMethod]: 'The method is not one this server recognises',
  [R.UnexpectedHttp2Preface]: 'The HTTP/2 connection preface was sent to the HTTP/1.1 parser',
  [R.InvalidRequestTarget]: 'The request-target has a character or form that is not allowed',
  [R.OptionsMethodRequired]: 'The asterisk-form request-target is only for OPTIONS',
  [R.ConnectMethodRequired]: 'The authority-form request-target is only for CONNECT',
  [R.InvalidRequestLine]: 'The request line is not `method SP request-target SP HTTP-version CRLF`',
  [R.InvalidVersion]: 'The HTTP version is malformed',
  [R.UnsupportedHttpVersion]: 'Only HTTP/1.0 and HTTP/1.1 are supported on this connection',
  [R.RequestLineTooLong]: 'The request line is longer than the limit',
  [R.BareLineFeed]: 'A line ends with LF without CR',
  [R.BareCarriageReturn]: 'A CR is not followed by LF',
  [R.InvalidHeaderName]: 'A header field name is not a token',
  [R.EmptyHeaderName]: 'A header field name is empty',
  [R.WhitespaceBeforeColon]: 'Whitespace between a header field name and the colon',
  [R.ObsoleteLineFolding]: 'A header line starts with whitespace (obs-fold is not accepted)',
  [R.InvalidHeaderValue]: 'A header field value contains a control character',
  [R.HeadersTooLarge]: 'The header section is larger than the limit',
  [R.TooManyHeaders]: 'There are more header fields than the limit',
  [R.DuplicateHost]: 'More than one Host header field',
  [R.MissingHost]: 'An HTTP/1.1 request without a Host header field',
  [R.InvalidHost]: 'The Host header field value is not an RFC 3986 `host[:port]`',
  [R.InvalidContentLength]: 'Content-Length is not a single non-negative decimal number',
  [R.DuplicateContentLength]: 'More than one Content-Length header field',
  [R.ContentLengthWithTransferEncoding]: 'Both Content-Length and Transfer-Encoding are present',
  [R.InvalidTransferEncoding]: 'Transfer-Encoding does not end with exactly one chunked coding',
  [R.DuplicateTransferEncoding]: 'More than one Transfer-Encoding header field',
  [R.TransferEncodingInHttp10]: 'Transfer-Encoding in an HTTP/1.0 request',
  [R.UnsupportedTransferEncoding]: 'A transfer coding other than chunked is not implemented',
  [R.InvalidChunkSize]: 'A chunk size is not a hexadecimal number',
  [R.ChunkSizeOverflow]: 'A chunk size is larger than 2^53',
  [R.InvalidChunkExtension]: 'A chunk extension is malformed',
  [R.ChunkExtensionsTooLarge]: 'The chunk extensions are larger than the limit',
  [R.InvalidChunkTerminator]: 'Chunk data is not followed by CRLF',
  [R.TrailersTooLarge]: 'The trailer section is larger than the limit',
};

/**
 * The request cannot be parsed (or breaks a limit). The connection cannot be trusted after it:
 * the driver answers with `status` and closes. Branch on `reason`, never on the message.
 */
export class BadRequestError extends HttpProtocolError {
  constructor(readonly reason: RequestRejectionReason) {
    super('ERR_TIERCEL_BAD_REQUEST', STATUS[reason], MESSAGE[reason]);
  }
}
