import { HttpProtocolError } from '../http/http-protocol-error.js';
/**
 * Why the HTTP/1.1 parser refused a request (Kestrel's `RequestRejectionReason`). A closed set:
 * the driver maps it to a status, logs and tests branch on it, and nothing else is ever thrown
 * by the parser for bad input. The values are stable strings so a log line is readable.
 */
export declare const RequestRejectionReason: {
    readonly InvalidMethod: 'invalid-method';
    /** An Expect other than 100-continue (RFC 9110 §10.1.1: 417). */
    readonly UnsupportedExpectation: 'unsupported-expectation';
    /** A well-formed method the server does not recognise (RFC 9110 §9.1: 501). */
    readonly UnknownMethod: 'unknown-method';
    /** `PRI * HTTP/2.0`: the HTTP/2 preface reached the HTTP/1.1 parser (RFC 9113 §3.4). */
    readonly UnexpectedHttp2Preface: 'unexpected-http2-preface';
    readonly InvalidRequestTarget: 'invalid-request-target';
    /** The line ended before a version (`GET /\r\n`, the HTTP/0.9 form), or had extra parts. */
    readonly InvalidRequestLine: 'invalid-request-line';
    /** Not `HTTP/<digit>.<digit>` (`RTSP/1.0`, `IHTTP/1.0`, `HTTP/1.1 `). */
    readonly InvalidVersion: 'invalid-version';
    /** Well-formed but not 1.0 or 1.1 (`HTTP/2.0`, `HTTP/1.2`, `HTTP/0.9`). */
    readonly UnsupportedHttpVersion: 'unsupported-http-version';
    readonly RequestLineTooLong: 'request-line-too-long';
    /** LF not preceded by CR, in the head or in chunked framing (RFC 9112 §2.2). */
    readonly BareLineFeed: 'bare-lf';
    /** CR not followed by LF (RFC 9112 §2.2). */
    readonly BareCarriageReturn: 'bare-cr';
    readonly InvalidHeaderName: 'invalid-header-name';
    readonly EmptyHeaderName: 'empty-header-name';
    /** `Name : value`: whitespace between the field name and the colon (RFC 9112 §5.1). */
    readonly WhitespaceBeforeColon: 'whitespace-before-colon';
    /** A line starting with SP/HTAB: obs-fold, or whitespace after the request line (RFC 9112 §5.2, §2.2). */
    readonly ObsoleteLineFolding: 'obs-fold';
    /** NUL, CR, DEL or another control character (HTAB aside) in a field value. */
    readonly InvalidHeaderValue: 'invalid-header-value';
    readonly HeadersTooLarge: 'headers-too-large';
    readonly TooManyHeaders: 'too-many-headers';
    readonly DuplicateHost: 'duplicate-host';
    readonly MissingHost: 'missing-host';
    readonly InvalidHost: 'invalid-host';
    readonly InvalidContentLength: 'invalid-content-length';
    readonly DuplicateContentLength: 'duplicate-content-length';
    readonly ContentLengthWithTransferEncoding: 'content-length-with-transfer-encoding';
    /** `chunked` is not the final coding, the value is empty, or chunked is applied twice. */
    readonly InvalidTransferEncoding: 'invalid-transfer-encoding';
    readonly DuplicateTransferEncoding: 'duplicate-transfer-encoding';
    readonly TransferEncodingInHttp10: 'transfer-encoding-in-http10';
    /** Codings before `chunked` (`gzip, chunked`): well-framed, but tiercel decodes none of them. */
    readonly UnsupportedTransferEncoding: 'unsupported-transfer-encoding';
    readonly InvalidChunkSize: 'invalid-chunk-size';
    readonly ChunkSizeOverflow: 'chunk-size-overflow';
    readonly InvalidChunkExtension: 'invalid-chunk-extension';
    readonly ChunkExtensionsTooLarge: 'chunk-extensions-too-large';
    /** Chunk data not followed by CRLF (its size was a lie). */
    readonly InvalidChunkTerminator: 'invalid-chunk-terminator';
    readonly TrailersTooLarge: 'trailers-too-large';
};
export type RequestRejectionReason = (typeof RequestRejectionReason)[keyof typeof RequestRejectionReason];
/**
 * The request cannot be parsed (or breaks a limit). The connection cannot be trusted after it:
 * the driver answers with `status` and closes. Branch on `reason`, never on the message.
 */
export declare class BadRequestError extends HttpProtocolError {
    readonly reason: RequestRejectionReason;
    constructor(reason: RequestRejectionReason);
}
/** The status the driver answers a rejection with (400, 413, 414, 431, 501 or 505). */
export declare function rejectionStatus(reason: RequestRejectionReason): number;
